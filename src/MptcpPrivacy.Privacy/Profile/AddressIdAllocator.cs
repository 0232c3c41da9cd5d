namespace MptcpPrivacy.Privacy.Profile;

/// <summary>
/// Hands out a connection's Address IDs at random from 1..255 instead of 1, 2, 3, … (RFC 8684
/// §3.4.1 leaves the choice to the host; sequential IDs tell an observer how many addresses were
/// announced before). ID 0 stays the initial subflow's, as RFC 8684 §3.2 says.
/// </summary>
public sealed class AddressIdAllocator
{
    private const int RandomDraws = 32;

    private readonly RandomBytes _random;
    private readonly bool[] _used = new bool[256];

    /// <summary>Makes an allocator drawing from <paramref name="random"/>.</summary>
    public AddressIdAllocator(RandomBytes random)
    {
        _random = random;
        _used[0] = true;
    }

    /// <summary>IDs in use.</summary>
    public int Count { get; private set; }

    /// <summary>Draws an unused ID; false when all 255 are taken.</summary>
    public bool TryAllocate(out byte id)
    {
        Span<byte> draw = stackalloc byte[1];
        for (int attempt = 0; attempt < RandomDraws; attempt++)
        {
            _random(draw);
            if (!_used[draw[0]])
            {
                return Take(draw[0], out id);
            }
        }

        // Nearly full: walk from a random start so the result stays unpredictable.
        for (int step = 0; step < 256; step++)
        {
            int candidate = (draw[0] + step) & 0xff;
            if (!_used[candidate])
            {
                return Take((byte)candidate, out id);
            }
        }

        id = 0;
        return false;
    }

    /// <summary>Gives an ID back (after REMOVE_ADDR); freeing 0 or a free ID does nothing.</summary>
    public void Free(byte id)
    {
        if (id != 0 && _used[id])
        {
            _used[id] = false;
            Count--;
        }
    }

    private bool Take(byte candidate, out byte id)
    {
        _used[candidate] = true;
        Count++;
        id = candidate;
        return true;
    }
}
