namespace MptcpPrivacy.Simulation;

/// <summary>
/// A point-to-point, full-duplex link between an interface of node A and an interface of node B.
/// Each direction has its own <see cref="LinkConfig"/>, queue, loss state and statistics; the
/// link's elements and observers see both directions.
/// </summary>
public sealed class Link
{
    private readonly LinkChannel[] _channels = new LinkChannel[2];
    private readonly List<ILinkElement> _elements = [];
    private readonly List<ILinkObserver> _observers = [];

    internal Link(string name, INode a, int interfaceA, INode b, int interfaceB)
    {
        Name = name;
        A = a;
        InterfaceA = interfaceA;
        B = b;
        InterfaceB = interfaceB;
    }

    /// <summary>Gets the link's name (used as the capture interface name).</summary>
    public string Name { get; }

    /// <summary>Gets the node at end A.</summary>
    public INode A { get; }

    /// <summary>Gets node A's interface number on this link.</summary>
    public int InterfaceA { get; }

    /// <summary>Gets the node at end B.</summary>
    public INode B { get; }

    /// <summary>Gets node B's interface number on this link.</summary>
    public int InterfaceB { get; }

    /// <summary>Gets whether the link carries packets now.</summary>
    public bool IsUp { get; private set; } = true;

    // The lists themselves, not IReadOnlyList: a channel walks them per packet, and an interface's
    // enumerator would be allocated every time.
    internal List<ILinkElement> Elements => _elements;

    internal List<ILinkObserver> Observers => _observers;

    /// <summary>Returns the counters of one direction.</summary>
    public LinkStatistics Statistics(LinkDirection direction) => _channels[(int)direction].Statistics;

    /// <summary>Returns the impairments of one direction.</summary>
    public LinkConfig Config(LinkDirection direction) => _channels[(int)direction].Config;

    /// <summary>Appends a middlebox; elements run in the order added, in both directions.</summary>
    public void AddElement(ILinkElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        _elements.Add(element);
    }

    /// <summary>Adds an observer of delivered packets.</summary>
    public void AddObserver(ILinkObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observers.Add(observer);
    }

    internal void SetChannel(LinkDirection direction, LinkChannel channel) => _channels[(int)direction] = channel;

    internal LinkChannel Channel(LinkDirection direction) => _channels[(int)direction];

    internal void SetUp(bool up)
    {
        IsUp = up;
        if (!up)
        {
            _channels[0].FlushQueue();
            _channels[1].FlushQueue();
        }
    }
}
