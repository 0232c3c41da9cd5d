namespace MptcpPrivacy.Simulation;

/// <summary>
/// A node broke the simulator's contract (it never stopped sending in one poll): a bug in that
/// node, not in the scenario. The run stops; what was captured up to it stays written.
/// </summary>
public sealed class SimulationFaultException : Exception
{
    /// <summary>Makes the exception.</summary>
    /// <param name="node">The node's name.</param>
    /// <param name="timeNs">The simulated time, in nanoseconds.</param>
    /// <param name="message">What it did.</param>
    public SimulationFaultException(string node, long timeNs, string message)
        : base($"node {node} at {timeNs / 1e6:0.###} ms: {message}")
    {
        Node = node;
        TimeNs = timeNs;
    }

    /// <summary>Gets the name of the node at fault.</summary>
    public string Node { get; }

    /// <summary>Gets the simulated time of the fault, in nanoseconds.</summary>
    public long TimeNs { get; }
}
