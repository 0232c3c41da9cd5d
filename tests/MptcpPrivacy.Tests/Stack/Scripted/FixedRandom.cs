namespace MptcpPrivacy.Tests.Stack.Scripted;

/// <summary>A random source that returns scripted values from NextInt64 (ISN, then timestamp offset), then zeros.</summary>
internal sealed class FixedRandom(params long[] values) : Random
{
    private readonly Queue<long> _values = new(values);

    public override long NextInt64(long minValue, long maxValue) => _values.Count > 0 ? _values.Dequeue() : minValue;
}
