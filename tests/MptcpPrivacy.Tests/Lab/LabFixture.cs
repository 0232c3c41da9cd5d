using MptcpPrivacy.Cli.Lab;

namespace MptcpPrivacy.Tests.Lab;

/// <summary>Runs the lab once (seed 1, full size, as <c>mptcp-privacy lab</c> does) for every test of the collection.</summary>
public sealed class LabFixture
{
    /// <summary>Gets the lab's result.</summary>
    internal LabResult Result { get; } = LabRunner.Run(seed: 1, quick: false);
}

/// <summary>The tests that share one <see cref="LabFixture"/> (one run of the lab for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "lab";
}
