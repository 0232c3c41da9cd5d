using MptcpPrivacy.Audit.Connections;

namespace MptcpPrivacy.Audit.Observers;

/// <summary>One observer and what it saw: the connections it can rebuild from its packets alone.</summary>
public sealed class ObserverView
{
    internal ObserverView(ObserverSpec spec, ConnectionTracker tracker)
    {
        Spec = spec;
        Tracker = tracker;
    }

    /// <summary>Who the observer is.</summary>
    public ObserverSpec Spec { get; }

    /// <summary>The connections and subflows rebuilt from the packets it saw, and nothing else.</summary>
    public ConnectionTracker Tracker { get; }

    /// <summary>How many packets it saw.</summary>
    public long Packets { get; internal set; }
}
