using MptcpPrivacy.Audit.Verification;

namespace MptcpPrivacy.Tests.Audit;

internal static class TallyPrinter
{
    public static string Describe(CheckTally tally)
    {
        var lines = new List<string>();
        foreach (CheckKind kind in Enum.GetValues<CheckKind>())
        {
            lines.Add($"{kind}: valid {tally.Count(kind, CheckStatus.Valid)} invalid {tally.Count(kind, CheckStatus.Invalid)} unverifiable {tally.Count(kind, CheckStatus.Unverifiable)}");
        }

        lines.AddRange(tally.Findings.Take(20).Select(f => f.ToString()));
        return string.Join('\n', lines);
    }
}
