using System.Diagnostics;
using System.Globalization;
using MptcpPrivacy.Privacy.Draft;
using MptcpPrivacy.Privacy.Profile;
using MptcpPrivacy.Stack.Mptcp;
using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Benchmarks.Privacy;

/// <summary>
/// The <c>--privacy-figures</c> mode: issue 6's figures as Markdown tables for docs/benchmarks.md:
/// the cost of finding a join's connection among 10^3 to 10^6 live ones with static RFC 8684 tokens
/// (the stack's <see cref="TokenTable{TConnection}"/>), the draft's trial of every key (both
/// readings) and the profile's single-use tokens (<see cref="JoinTokenTable{TConnection}"/>);
/// refusing a forged join; sealing and opening an ADD_ADDR; memory per connection.
/// </summary>
/// <remarks>
/// A figure is the median of several timed batches after a warm-up batch, in nanoseconds per
/// operation (Stopwatch). Tables of 10^6 connections miss the CPU caches on every lookup, as a busy
/// host's would: the lookups pick random live tokens. BenchmarkDotNet is not used here because
/// building a table of 10^6 connections per benchmark case would take most of the run; the tables
/// are built once per size and measured in place. Memory is <see cref="GC.GetTotalMemory"/> after
/// a full collection, before and after building a table, divided by the connections.
/// </remarks>
internal static class PrivacyFigures
{
    /// <summary>The command-line switch that selects this mode.</summary>
    public const string Switch = "--privacy-figures";

    private const int Batches = 5;

    private sealed class Conn
    {
        public int State = 1;
    }

    /// <summary>One join's lookup: the <see cref="Conn.State"/> of the connection a token leads to, 0 if none.</summary>
    private interface ILookup<TToken>
    {
        int StateOf(TToken token);
    }

    private readonly struct StaticFind(TokenTable<Conn> table) : ILookup<uint>
    {
        public int StateOf(uint token) => table.TryFind(token, out Conn connection) ? connection.State : 0;
    }

    private readonly struct ProfileFind(JoinTokenTable<Conn> table) : ILookup<ulong>
    {
        public int StateOf(ulong token) => table.TryFind(token, out Conn connection) ? connection.State : 0;
    }

    /// <summary>What a SYN costs the profile: reserve, read the connection, and give the reservation back at once.</summary>
    private readonly struct ProfileReserve(JoinTokenTable<Conn> table) : ILookup<ulong>
    {
        public int StateOf(ulong token)
        {
            if (table.TryReserve(token, out JoinReservation<Conn> reservation) != JoinLookupResult.Reserved)
            {
                return 0;
            }

            int state = reservation.Connection.State;
            table.Release(reservation);
            return state;
        }
    }

    private static int s_window = JoinTokenLimits.Default.WindowSize;
    private static bool s_draft = true;

    /// <summary>Runs the mode: <c>[--min N] [--max N] [--window W] [--draft 0|1]</c> (table sizes 10^3..10^6 by default, W = 4, with the draft's figures).</summary>
    /// <returns>The process exit code.</returns>
    public static int Run(IReadOnlyList<string> arguments)
    {
        int min = 1_000;
        int max = 1_000_000;
        for (int i = 0; i + 1 < arguments.Count; i += 2)
        {
            int value = int.Parse(arguments[i + 1], CultureInfo.InvariantCulture);
            switch (arguments[i])
            {
                case "--min": min = value; break;
                case "--max": max = value; break;
                case "--window": s_window = value; break;
                case "--draft": s_draft = value != 0; break;
                default: throw new ArgumentException($"Unknown option {arguments[i]}; {Switch} takes --min, --max, --window and --draft 0|1.");
            }
        }

        Console.WriteLine($"{Environment.ProcessorCount} CPUs, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, median of {Batches} batches, W = {s_window}");
        Console.WriteLine();
        Console.WriteLine("| live connections | static find + read connection (ns) | profile TryFind + read connection (ns) | ratio | profile TryReserve + read connection + Release (ns) | ratio | forged join refused, static (ns) | forged join refused, profile (ns) | profile Spend, incl. new token (ns) | draft A per join (ms) | draft B per join (ms) | static B/conn | profile B/conn |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        // A first small row, not printed, so every loop below runs fully optimised (tiered JIT).
        Row(1_000, print: false);
        Row(1_000, print: false);
        for (int n = min; n <= max; n *= 10)
        {
            Row(n, print: true);
        }

        Console.WriteLine();
        AddAddrFigures();
        FirstJoinFigures.Print();
        return 0;
    }

    private static void Row(int n, bool print)
    {
        var random = new Random(n);

        // Static RFC 8684 tokens, as the stack keeps them. Arrays the benchmark keeps for itself
        // are allocated outside the span whose memory is counted.
        uint[] staticTokens = new uint[n];
        long before = Memory();
        var statics = new TokenTable<Conn>(random);
        for (int i = 0; i < n; i++)
        {
            statics.TryAdd(new Conn(), out LocalKey key);
            staticTokens[i] = key.Token;
        }

        double staticBytes = (double)(Memory() - before) / n;

        // The profile's single-use tokens; live[i] is a token of connection i, from a random slot.
        // The joiners' keys are allocated before the memory reading, their sequences after it.
        int joinEvery = Math.Max(1, n / 5_000);
        byte[][] joinerKeys = new byte[(n + joinEvery - 1) / joinEvery][];
        for (int k = 0; k < joinerKeys.Length; k++)
        {
            joinerKeys[k] = new byte[32];
        }

        byte[] key32 = new byte[32];
        ulong[] live = new ulong[n];
        before = Memory();
        // Caps high enough that a reservation never meets them (each is released at once).
        var table = new JoinTokenTable<Conn>(new JoinTokenLimits(s_window, 255, int.MaxValue, int.MaxValue), n);
        for (int i = 0; i < n; i++)
        {
            random.NextBytes(key32);
            table.Register(new Conn(), key32);
            live[i] = JoinToken.Derive(key32, (ulong)random.Next(s_window)).Value;
            if (i % joinEvery == 0)
            {
                key32.CopyTo(joinerKeys[i / joinEvery], 0);
            }
        }

        double profileBytes = (double)(Memory() - before) / n;
        var joiners = Array.ConvertAll(joinerKeys, key => new JoinTokenSequence(key));

        // Both kinds of token are looked up for the same connections in the same order, and every
        // loop does the same around the lookup: read a field of the connection found, store nothing.
        int[] picks = Pick(n, random);
        uint[] staticProbe = Array.ConvertAll(picks, i => staticTokens[i]);
        ulong[] probe = Array.ConvertAll(picks, i => live[i]);
        uint[] staticForged = new uint[picks.Length];
        ulong[] forged = new ulong[picks.Length];
        for (int i = 0; i < forged.Length; i++)
        {
            staticForged[i] = (uint)random.Next() ^ ((uint)random.Next() << 31);
            forged[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
        }

        double[] lookups = Medians(
            () => Count(staticProbe, new StaticFind(statics)),
            () => Count(probe, new ProfileFind(table)),
            () => Count(probe, new ProfileReserve(table)),
            () => Count(staticForged, new StaticFind(statics)),
            () => Count(forged, new ProfileReserve(table)));
        GC.KeepAlive(statics);

        // Spending consumes tokens: each batch joins once on each of a sample of connections, with
        // the next token of the joiner's sequence (live: the window slid past the previous one).
        double spendNs = Medians(() =>
        {
            var tokens = new ulong[joiners.Length];
            for (int i = 0; i < tokens.Length; i++)
            {
                tokens[i] = joiners[i].Take().Value;
            }

            var stopwatch = Stopwatch.StartNew();
            int done = 0;
            foreach (ulong token in tokens)
            {
                if (table.TryReserve(token, out JoinReservation<Conn> reservation) == JoinLookupResult.Reserved && table.Spend(reservation))
                {
                    done++;
                }
            }

            return (stopwatch.Elapsed.TotalNanoseconds, tokens.Length, done);
        })[0];
        GC.KeepAlive(table);

        (double draftA, double draftB) = s_draft ? Draft(n, random) : (double.NaN, double.NaN);
        if (!print)
        {
            return;
        }

        (double staticNs, double findNs, double reserveNs, double staticForgedNs, double forgedNs) = (lookups[0], lookups[1], lookups[2], lookups[3], lookups[4]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {n:N0} | {staticNs:F0} | {findNs:F0} | {findNs / staticNs:F1} | {reserveNs:F0} | {reserveNs / staticNs:F1} | {staticForgedNs:F0} | {forgedNs:F0} | {spendNs:F0} | {draftA:F2} | {draftB:F2} | {staticBytes:F0} | {profileBytes:F0} |"));
    }

    /// <summary>A timed batch that looks up every token and sums a field of the connections found.</summary>
    private static (double Nanoseconds, int Operations, int Checksum) Count<TToken, TLookup>(TToken[] tokens, TLookup lookup)
        where TLookup : struct, ILookup<TToken>
    {
        var stopwatch = Stopwatch.StartNew();
        int sum = 0;
        foreach (TToken token in tokens)
        {
            sum += lookup.StateOf(token);
        }

        return (stopwatch.Elapsed.TotalNanoseconds, tokens.Length, sum);
    }

    private static (double A, double B) Draft(int n, Random random)
    {
        IpAddressBytes source = IpAddressBytes.Parse("10.0.0.2");
        double[] result = new double[2];
        foreach (DraftReading reading in new[] { DraftReading.A, DraftReading.B })
        {
            int zeros = reading == DraftReading.A ? 32 : 24;
            var resolver = new DraftTokenResolver<Conn>(reading, zeros);
            ulong lastKey = 0;
            for (int i = 0; i < n; i++)
            {
                lastKey = (ulong)random.NextInt64();
                resolver.Add(new Conn(), lastKey);
            }

            uint token = reading == DraftReading.A ? DraftJoinToken.ReadingA(lastKey, zeros, source, null) : DraftJoinToken.ReadingB(lastKey, zeros, source, null, 77);
            int joins = Math.Max(1, 200_000 / n);
            var candidates = new List<Conn>();
            resolver.Resolve(token, source, null, candidates);
            var stopwatch = Stopwatch.StartNew();
            for (int j = 0; j < joins; j++)
            {
                candidates.Clear();
                resolver.Resolve(token, source, null, candidates);
            }

            result[(int)reading] = stopwatch.Elapsed.TotalMilliseconds / joins;
        }

        return (result[0], result[1]);
    }

    private static void AddAddrFigures()
    {
        byte[] sealKey = new byte[ProfileKeys.SealKeyLength];
        byte[] echoKey = new byte[ProfileKeys.KeyLength];
        new Random(9).NextBytes(sealKey);
        new Random(10).NextBytes(echoKey);
        Console.WriteLine("| ADD_ADDR operation | ns per operation | bytes allocated per operation |");
        Console.WriteLine("|---|---|---|");
        foreach ((string name, IpAddressBytes address, ushort? port) in new[]
        {
            ("IPv4 + port", IpAddressBytes.Parse("192.0.2.7"), (ushort?)8080),
            ("IPv6", IpAddressBytes.Parse("2001:db8::1"), (ushort?)null),
        })
        {
            byte[] option = new byte[40];
            byte[] echo = new byte[40];
            int length = SealedAddAddr.Seal(sealKey, 9, address, port, option);
            const int Count = 100_000;
            Measure($"seal, {name}", Count, () => SealedAddAddr.Seal(sealKey, 9, address, port, option));
            Measure($"open, {name}", Count, () => SealedAddAddr.TryOpen(sealKey, option.AsSpan(0, length), out _) ? 1 : 0);
            Measure($"seal echo, {name}", Count, () => SealedAddAddr.SealEcho(echoKey, option.AsSpan(0, length), echo));
            Measure($"draft seal (MP_CAPABLE keys), {name}", Count, () => DraftAddAddr.Seal(1, 2, 9, address, port).EncodedLength);
        }

        byte[] message = new byte[20];
        byte[] mac = new byte[32];
        Measure("for scale: one HMAC-SHA256 (HMACSHA256.HashData, 32-byte key, 20 bytes)", 100_000, () => System.Security.Cryptography.HMACSHA256.HashData(echoKey, message, mac));
        Measure("for scale: one SHA-256 (SHA256.HashData, 20 bytes)", 100_000, () => System.Security.Cryptography.SHA256.HashData(message, mac));
    }

    private static void Measure(string name, int count, Func<int> operation)
    {
        for (int i = 0; i < count / 10; i++)
        {
            operation();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        double ns = Median(() =>
        {
            int sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += operation();
            }

            return (count, sum);
        });
        double bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / (count * (Batches + 1));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {ns:F0} | {bytes:F0} |"));
    }

    /// <summary>Random connection numbers below <paramref name="n"/> (100,000 of them, or n up to 10^6) for the lookups to find.</summary>
    private static int[] Pick(int n, Random random)
    {
        var picked = new int[Math.Min(1_000_000, Math.Max(100_000, n))];
        for (int i = 0; i < picked.Length; i++)
        {
            picked[i] = random.Next(n);
        }

        return picked;
    }

    /// <summary>Median ns per operation of a batch that returns (operations, checksum); one warm-up batch first.</summary>
    private static double Median(Func<(int Operations, int Checksum)> batch) =>
        Medians(() =>
        {
            var stopwatch = Stopwatch.StartNew();
            (int operations, int checksum) = batch();
            return (stopwatch.Elapsed.TotalNanoseconds, operations, checksum);
        })[0];

    /// <summary>
    /// Median ns per operation of each batch; the batches take turns (one warm-up round first), so
    /// that a noisy neighbour slows all of them alike rather than one column.
    /// </summary>
    private static double[] Medians(params Func<(double Nanoseconds, int Operations, int Checksum)>[] batches)
    {
        foreach (Func<(double Nanoseconds, int Operations, int Checksum)> batch in batches)
        {
            batch();
        }

        double[,] figures = new double[batches.Length, Batches];
        for (int round = 0; round < Batches; round++)
        {
            for (int b = 0; b < batches.Length; b++)
            {
                (double ns, int operations, _) = batches[b]();
                figures[b, round] = ns / operations;
            }
        }

        double[] medians = new double[batches.Length];
        for (int b = 0; b < batches.Length; b++)
        {
            double[] row = new double[Batches];
            for (int round = 0; round < Batches; round++)
            {
                row[round] = figures[b, round];
            }

            Array.Sort(row);
            medians[b] = row[Batches / 2];
        }

        return medians;
    }

    private static long Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
