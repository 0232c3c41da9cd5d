using MptcpPrivacy.Stack.Congestion;
using MptcpPrivacy.Stack.Sequencing;
using MptcpPrivacy.Stack.Tcp;

namespace MptcpPrivacy.Tests.Stack.Congestion;

/// <summary>Drives a congestion controller through the calls a subflow makes, with made-up sequence numbers.</summary>
internal sealed class CongestionDriver(ICongestionControl controller, int mss)
{
    private uint _ack = 1;

    public ICongestionControl Controller { get; } = controller;

    public int Window => Controller.CongestionWindow;

    /// <summary>Takes the controller into congestion avoidance with cwnd = ssthresh = <paramref name="window"/> (a multiple of the MSS, at least two).</summary>
    public CongestionDriver EnterAvoidance(int window)
    {
        Controller.Initialize(mss);
        Controller.OnRetransmissionTimeout(2 * window);
        while (Controller.CongestionWindow < Controller.SlowStartThreshold)
        {
            Ack(mss);
        }

        Assert.Equal(window, Controller.CongestionWindow);
        Assert.Equal(window, Controller.SlowStartThreshold);
        return this;
    }

    public CongestionDriver Rtt(double milliseconds)
    {
        Controller.OnRttSample(TimeSpan.FromMilliseconds(milliseconds));
        return this;
    }

    public bool Ack(int bytes)
    {
        _ack += (uint)bytes;
        return Controller.OnAck(new SeqNum32(_ack), bytes, Controller.CongestionWindow);
    }

    /// <summary>Acknowledges <paramref name="segments"/> full segments one ACK each.</summary>
    public void AckSegments(int segments)
    {
        for (int i = 0; i < segments; i++)
        {
            Ack(mss);
        }
    }

    /// <summary>Acknowledges one current window's worth of full segments (one round trip).</summary>
    public void AckOneWindow() => AckSegments(Controller.CongestionWindow / mss);

    public static CouplingSetup Lia(int count, int mss = 1000) => new(new CoupledCongestionGroup(), g => new LinkedIncreases(g), count, mss);

    public static CouplingSetup Olia(int count, int mss = 1000) => new(new CoupledCongestionGroup(), g => new Olia(g), count, mss);
}

/// <summary>A group with <c>count</c> members of one algorithm, each with its driver.</summary>
internal sealed class CouplingSetup
{
    public CouplingSetup(CoupledCongestionGroup group, Func<CoupledCongestionGroup, CoupledCongestionControl> create, int count, int mss)
    {
        Group = group;
        Members = Enumerable.Range(0, count).Select(_ => create(group)).ToArray();
        Drivers = Members.Select(m => new CongestionDriver(m, mss)).ToArray();
    }

    public CoupledCongestionGroup Group { get; }

    public CoupledCongestionControl[] Members { get; }

    public CongestionDriver[] Drivers { get; }
}
