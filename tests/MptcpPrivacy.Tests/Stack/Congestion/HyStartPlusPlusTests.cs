using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;

namespace MptcpPrivacy.Tests.Stack.Congestion;

/// <summary>HyStart++ (RFC 9406) inside NewReno's initial slow start, driven round by round.</summary>
public sealed class HyStartPlusPlusTests
{
    private const int Mss = 1000;

    [Fact]
    public void Constant_rtt_stays_in_slow_start_and_doubles_per_round()
    {
        var rounds = new RoundDriver();
        for (int i = 0; i < 6; i++)
        {
            int before = rounds.Reno.CongestionWindow;
            rounds.Round(TimeSpan.FromMilliseconds(20));
            Assert.Equal(SlowStartPhase.SlowStart, rounds.Reno.SlowStartPhase);
            Assert.Equal(2 * before, rounds.Reno.CongestionWindow);
        }

        Assert.Equal(int.MaxValue, rounds.Reno.SlowStartThreshold);
    }

    [Fact]
    public void Rtt_rising_by_the_threshold_enters_conservative_slow_start_with_a_quarter_of_the_growth()
    {
        // RFC 9406 §4.2: RttThresh = clamp(lastRoundMinRTT / 8, 4 ms, 16 ms): 5 ms after 40 ms, 5.6 ms after 44.9 ms.
        var rounds = new RoundDriver();
        rounds.Round(TimeSpan.FromMilliseconds(40));
        rounds.Round(TimeSpan.FromMilliseconds(44.9));
        Assert.Equal(SlowStartPhase.SlowStart, rounds.Reno.SlowStartPhase);

        rounds.Round(TimeSpan.FromMilliseconds(50.6));
        Assert.Equal(SlowStartPhase.ConservativeSlowStart, rounds.Reno.SlowStartPhase);

        int before = rounds.Reno.CongestionWindow;
        int acks = before / Mss;
        rounds.Round(TimeSpan.FromMilliseconds(50.6));
        Assert.Equal(before + (acks * Mss / 4), rounds.Reno.CongestionWindow);
    }

    [Fact]
    public void Conservative_slow_start_ends_in_congestion_avoidance_after_its_rounds()
    {
        var rounds = new RoundDriver();
        rounds.Round(TimeSpan.FromMilliseconds(10));
        rounds.Round(TimeSpan.FromMilliseconds(30));
        Assert.Equal(SlowStartPhase.ConservativeSlowStart, rounds.Reno.SlowStartPhase);
        for (int i = 0; i < HyStartPlusPlus.ConservativeRounds - 1; i++)
        {
            rounds.Round(TimeSpan.FromMilliseconds(30));
            Assert.Equal(SlowStartPhase.ConservativeSlowStart, rounds.Reno.SlowStartPhase);
        }

        // The first ACK of the next round closes the fifth round: ssthresh = cwnd.
        rounds.Round(TimeSpan.FromMilliseconds(30));
        Assert.Equal(SlowStartPhase.Ended, rounds.Reno.SlowStartPhase);
        Assert.True(rounds.Reno.SlowStartThreshold < int.MaxValue);
        Assert.True(rounds.Reno.CongestionWindow >= rounds.Reno.SlowStartThreshold);
    }

    [Fact]
    public void A_lower_rtt_in_conservative_slow_start_returns_to_slow_start()
    {
        var rounds = new RoundDriver();
        rounds.Round(TimeSpan.FromMilliseconds(10));
        rounds.Round(TimeSpan.FromMilliseconds(30));
        Assert.Equal(SlowStartPhase.ConservativeSlowStart, rounds.Reno.SlowStartPhase);

        rounds.Round(TimeSpan.FromMilliseconds(20));
        Assert.Equal(SlowStartPhase.SlowStart, rounds.Reno.SlowStartPhase);
    }

    [Fact]
    public void The_threshold_is_clamped_to_16_ms_for_long_paths()
    {
        var rounds = new RoundDriver();
        rounds.Round(TimeSpan.FromMilliseconds(400));
        rounds.Round(TimeSpan.FromMilliseconds(415));
        Assert.Equal(SlowStartPhase.SlowStart, rounds.Reno.SlowStartPhase);
        rounds.Round(TimeSpan.FromMilliseconds(431.5));
        Assert.Equal(SlowStartPhase.ConservativeSlowStart, rounds.Reno.SlowStartPhase);
    }

    [Fact]
    public void Fewer_than_eight_samples_per_round_never_end_slow_start()
    {
        var rounds = new RoundDriver();
        rounds.Round(TimeSpan.FromMilliseconds(10), samples: HyStartPlusPlus.RttSamplesPerRound - 1);
        rounds.Round(TimeSpan.FromMilliseconds(100), samples: HyStartPlusPlus.RttSamplesPerRound - 1);
        rounds.Round(TimeSpan.FromMilliseconds(200), samples: HyStartPlusPlus.RttSamplesPerRound - 1);
        Assert.Equal(SlowStartPhase.SlowStart, rounds.Reno.SlowStartPhase);
    }

    [Fact]
    public void A_loss_ends_hystart_for_good()
    {
        var rounds = new RoundDriver();
        rounds.Round(TimeSpan.FromMilliseconds(10));
        Assert.True(rounds.Reno.OnDuplicateAck(3, rounds.Reno.CongestionWindow, rounds.Sent));
        Assert.Equal(SlowStartPhase.Ended, rounds.Reno.SlowStartPhase);
    }

    /// <summary>
    /// Sends a window, then acknowledges it one segment per ACK, each ACK with an RTT sample: one
    /// HyStart++ round per call (the first ACK of a call covers the previous round's end).
    /// </summary>
    private sealed class RoundDriver
    {
        private SeqNum32 _una = new(1000);

        public RoundDriver()
        {
            Reno.Initialize(Mss);
        }

        public NewReno Reno { get; } = new();

        public SeqNum32 Sent { get; private set; } = new(1000);

        public void Round(TimeSpan rtt, int samples = int.MaxValue)
        {
            int segments = Reno.CongestionWindow / Mss;
            Sent = _una + (uint)(segments * Mss);
            for (int i = 0; i < segments; i++)
            {
                int flight = (int)_una.DistanceTo(Sent);
                _una += Mss;
                Reno.OnAckTiming(_una, Sent, i < samples ? rtt : null);
                Reno.OnAck(_una, Mss, flight);
            }
        }
    }
}
