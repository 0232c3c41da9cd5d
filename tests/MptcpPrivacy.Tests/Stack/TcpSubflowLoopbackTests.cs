using MptcpPrivacy.Stack.Tcp;
using MptcpPrivacy.Wire.Tcp;

namespace MptcpPrivacy.Tests.Stack;

/// <summary>Two subflows back to back over a lossy, delaying link driven by a manual clock.</summary>
public sealed class TcpSubflowLoopbackTests
{
    [Theory]
    [InlineData(1, 0.0, false)]
    [InlineData(2, 0.02, false)]
    [InlineData(3, 0.05, false)]
    [InlineData(1, 0.0, true)]
    [InlineData(2, 0.02, true)]
    [InlineData(3, 0.05, true)]
    public void TransfersOneMegabyteByteExactUnderSeededLoss(int seed, double lossRate, bool useSack)
    {
        Outcome outcome = Transfer(seed, lossRate, useSack);
        Assert.True(lossRate == 0 || outcome.Dropped > 0);
    }

    /// <summary>
    /// RFC 6675's promise, in virtual time: with the same seeded losses, SACK recovery needs fewer
    /// retransmission timeouts and finishes sooner than NewReno, which finds one hole per round trip.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SackRecoversFromSeveralLossesPerWindowWithFewerTimeoutsThanNewReno(int seed)
    {
        Outcome reno = Transfer(seed, 0.05, useSack: false);
        Outcome sack = Transfer(seed, 0.05, useSack: true);
        Assert.True(sack.Timeouts * 2 < reno.Timeouts, $"seed {seed}: {sack.Timeouts} timeouts with SACK, {reno.Timeouts} with NewReno");
        Assert.True(sack.Finished < reno.Finished, $"seed {seed}: {sack.Finished} with SACK, {reno.Finished} with NewReno");
    }

    private static Outcome Transfer(int seed, double lossRate, bool useSack)
    {
        var rng = new Random(seed);
        var common = new TcpSubflowOptions { MinimumRetransmissionTimeout = TimeSpan.FromMilliseconds(200), UseSack = useSack };
        var client = new TcpSubflow(common with { LocalPort = 1111, RemotePort = 2222 }, new Random(seed * 31 + 1));
        var server = new TcpSubflow(common with { LocalPort = 2222 }, new Random(seed * 31 + 2));
        server.Listen();
        client.Connect(TimeSpan.Zero);

        byte[] data = new byte[1 << 20];
        new Random(seed).NextBytes(data);
        var received = new MemoryStream();
        int written = 0;
        bool clientClosed = false;
        TimeSpan delay = TimeSpan.FromMilliseconds(10);
        var inFlight = new PriorityQueue<(TcpSubflow To, byte[] Bytes), TimeSpan>();
        TimeSpan now = TimeSpan.Zero;
        byte[] buffer = new byte[2048];
        byte[] readBuffer = new byte[16384];
        int dropped = 0;
        int timeouts = 0;
        TimeSpan finished = TimeSpan.Zero;

        for (int step = 0; step < 2_000_000; step++)
        {
            if (client.State is TcpState.Established or TcpState.CloseWait && written < data.Length)
            {
                written += client.Send(data.AsSpan(written));
            }

            if (written == data.Length && !clientClosed)
            {
                client.Close();
                clientClosed = true;
            }

            int n;
            while ((n = server.Receive(readBuffer)) > 0)
            {
                received.Write(readBuffer, 0, n);
            }

            if (server.ReceivedFin && server.State == TcpState.CloseWait)
            {
                server.Close();
            }

            foreach ((TcpSubflow from, TcpSubflow to) in new[] { (client, server), (server, client) })
            {
                while ((n = from.PollTransmit(now, buffer)) > 0)
                {
                    if (rng.NextDouble() < lossRate)
                    {
                        dropped++;
                        continue;
                    }

                    inFlight.Enqueue((to, buffer[..n]), now + delay);
                }
            }

            if (finished == TimeSpan.Zero && received.Length == data.Length)
            {
                finished = now;
            }

            if (client.State == TcpState.Closed && server.State == TcpState.Closed)
            {
                break;
            }

            // Advance the manual clock to the next event: a delivery or a deadline.
            TimeSpan next = TimeSpan.MaxValue;
            if (inFlight.TryPeek(out _, out TimeSpan arrival)) { next = arrival; }
            if (client.NextDeadline is { } c && c < next) { next = c; }
            if (server.NextDeadline is { } s && s < next) { next = s; }
            Assert.True(next != TimeSpan.MaxValue, $"Stalled at {now} (seed {seed}): client {client.State}, server {server.State}, {received.Length} bytes in");
            now = next;

            while (inFlight.TryPeek(out var packet, out TimeSpan at) && at <= now)
            {
                inFlight.Dequeue();
                Assert.True(TcpHeader.TryParse(packet.Bytes, out TcpHeader header, out _));
                packet.To.OnSegment(now, header);
            }

            if (client.NextDeadline <= now)
            {
                int backoff = client.RetransmissionTimeout.BackoffCount;
                client.OnTimer(now);
                timeouts += client.RetransmissionTimeout.BackoffCount > backoff ? 1 : 0;
            }

            if (server.NextDeadline <= now) { server.OnTimer(now); }
        }

        Assert.True(data.AsSpan().SequenceEqual(received.ToArray()), $"seed {seed}: {received.Length} bytes received, dropped {dropped}");
        Assert.Equal(TcpState.Closed, server.State);
        Assert.Equal(TcpCloseReason.Normal, server.CloseReason);
        Assert.Equal(TcpState.Closed, client.State); // after TIME-WAIT
        Assert.Equal(useSack, client.SackEnabled);
        return new Outcome(finished, dropped, timeouts);
    }

    private readonly record struct Outcome(TimeSpan Finished, int Dropped, int Timeouts);
}
