using System.Runtime.CompilerServices;
using MptcpPrivacy.Audit.Connections;
using MptcpPrivacy.Wire.Ip;
using MptcpPrivacy.Wire.Packets;

namespace MptcpPrivacy.Audit.Observers;

/// <summary>
/// Feeds every packet to the global view (all packets, each once) and to each observer that sees
/// it. Each observer has its own tracker, so what it links comes only from what it saw. Without
/// observers given, the built-in ones are used: fully on-path and endpoint (both see every packet,
/// so they share the global tracker) and one partially on-path observer per path, made when a
/// path's first packet appears (per capture interface; per address pair in captures without
/// interfaces).
/// </summary>
public sealed class AuditSession
{
    /// <summary>The most observers one audit keeps (one bit each in the duplicate filter).</summary>
    public const int MaxObservers = 64;

    private readonly List<ObserverView> _observers = [];
    private readonly Dictionary<(int File, int Interface), ObserverView> _pathsByInterface = [];
    private readonly Dictionary<(IpAddressBytes, IpAddressBytes), ObserverView> _pathsByAddresses = [];
    private readonly DuplicateFilter? _duplicates;
    private ObserverView?[] _pathByInterface = new ObserverView?[64];
    private readonly bool _builtIns;
    private readonly bool _manyFiles;
    private readonly DraftTokenSearch? _draftTokens;

    /// <summary>
    /// Starts an audit with the given observers, or the built-in ones when none are given; every
    /// tracker tries <paramref name="draftTokens"/> (by default <see cref="DraftTokenSearch.Default"/>)
    /// on joins whose token matches no key it saw.
    /// </summary>
    public AuditSession(IReadOnlyList<ObserverSpec> observers, bool manyFiles, DraftTokenSearch? draftTokens = null)
    {
        _draftTokens = draftTokens;
        Global = new ConnectionTracker(draftTokens);
        if (observers.Count > MaxObservers)
        {
            throw new ArgumentException($"at most {MaxObservers} observers", nameof(observers));
        }

        _manyFiles = manyFiles;
        // One file shows each packet once per interface it crossed; several files may show it twice
        // at two points, and then it must be counted once. Within one file, a second sighting on
        // another interface changes no grouping (it is the same subflow), so the filter is not run.
        _duplicates = manyFiles ? new DuplicateFilter() : null;
        _builtIns = observers.Count == 0;
        if (_builtIns)
        {
            _observers.Add(new ObserverView(ObserverSpec.FullyOnPath(), Global));
            _observers.Add(new ObserverView(ObserverSpec.Endpoint(), Global));
        }
        else
        {
            foreach (ObserverSpec spec in observers)
            {
                _observers.Add(new ObserverView(spec, new ConnectionTracker(_draftTokens)));
            }
        }
    }

    /// <summary>Every packet, each once: the connections as they really were (as far as the captures show).</summary>
    public ConnectionTracker Global { get; }

    /// <summary>The observers, built-in or given, in order of creation.</summary>
    public IReadOnlyList<ObserverView> Observers => _observers;

    /// <summary>Packets recognised as a second sighting of one already counted.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Paths that got no observer of their own because the limit was reached.</summary>
    public int PathsWithoutObserver { get; private set; }

    /// <summary>Takes in one TCP packet captured at <paramref name="vantage"/>.</summary>
    public void Observe(in TcpPacket packet, in PacketVantage vantage, long frame, long timeNs)
    {
        bool seenBefore = false;
        ref DuplicateFilter.Entry entry = ref Unsafe.NullRef<DuplicateFilter.Entry>();
        if (_duplicates is not null)
        {
            entry = ref _duplicates.Sighting(in packet, timeNs, out seenBefore);
        }

        ulong fed = Unsafe.IsNullRef(ref entry) ? 0 : entry.FedObservers;

        if (seenBefore)
        {
            Duplicates++;
        }
        else
        {
            Global.Observe(in packet, frame, timeNs, vantage.Interface);
        }

        if (_builtIns)
        {
            AddPathObserver(in vantage);
        }

        for (int i = 0; i < _observers.Count; i++)
        {
            ObserverView observer = _observers[i];
            ulong bit = 1UL << i;
            if ((fed & bit) != 0 || !Sees(observer, in vantage))
            {
                continue;
            }

            fed |= bit;
            observer.Packets++;
            if (!ReferenceEquals(observer.Tracker, Global))
            {
                observer.Tracker.Observe(in packet, frame, timeNs, vantage.Interface);
            }
        }

        if (!Unsafe.IsNullRef(ref entry))
        {
            // Nothing between the lookup and here touches the filter's table, so the reference still holds.
            entry.FedObservers = fed;
        }
    }

    private bool Sees(ObserverView observer, in PacketVantage vantage)
    {
        // Built-in path observers are indexed by interface: skip the spec walk for the common case.
        if (_builtIns && observer.Spec.Class == ObserverClass.PartiallyOnPath && vantage.Interface >= 0 && !_manyFiles)
        {
            return (uint)vantage.Interface < (uint)_pathByInterface.Length && ReferenceEquals(_pathByInterface[vantage.Interface], observer);
        }

        return observer.Spec.Class is ObserverClass.FullyOnPath or ObserverClass.Endpoint || observer.Spec.Sees(in vantage);
    }

    /// <summary>Ends the audit: pending checks are settled in every tracker.</summary>
    public void Finish()
    {
        Global.Finish();
        foreach (ObserverView observer in _observers)
        {
            if (!ReferenceEquals(observer.Tracker, Global))
            {
                observer.Tracker.Finish();
            }
        }
    }

    private void AddPathObserver(in PacketVantage vantage)
    {
        if (vantage.Interface >= 0)
        {
            if (!_manyFiles && (uint)vantage.Interface < (uint)_pathByInterface.Length && _pathByInterface[vantage.Interface] is not null)
            {
                return;
            }

            if (!_pathsByInterface.TryGetValue((vantage.File, vantage.Interface), out ObserverView? view))
            {
                _pathsByInterface[(vantage.File, vantage.Interface)] = view = Add(ObserverSpec.OnInterface(vantage.File, vantage.Interface, _manyFiles));
            }

            if (!_manyFiles && vantage.Interface < 1 << 16)
            {
                if (vantage.Interface >= _pathByInterface.Length)
                {
                    Array.Resize(ref _pathByInterface, Math.Max(vantage.Interface + 1, _pathByInterface.Length * 2));
                }

                _pathByInterface[vantage.Interface] = view;
            }

            return;
        }

        (IpAddressBytes, IpAddressBytes) pair = vantage.Source.CompareTo(vantage.Destination) <= 0
            ? (vantage.Source, vantage.Destination)
            : (vantage.Destination, vantage.Source);
        if (!_pathsByAddresses.ContainsKey(pair))
        {
            _pathsByAddresses[pair] = Add(ObserverSpec.BetweenAddresses(pair.Item1, pair.Item2));
        }
    }

    private ObserverView Add(ObserverSpec spec)
    {
        var view = new ObserverView(spec, new ConnectionTracker(_draftTokens));
        if (_observers.Count < MaxObservers)
        {
            _observers.Add(view);
        }
        else
        {
            PathsWithoutObserver++;
        }

        return view;
    }
}
