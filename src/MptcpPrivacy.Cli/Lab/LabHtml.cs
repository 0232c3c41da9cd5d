using System.Net;
using System.Text;

namespace MptcpPrivacy.Cli.Lab;

/// <summary>
/// Writes <c>lab --report DIR</c>: one self-contained index.html (inline CSS, the comparison table,
/// the audit's SVG timelines inline) that a browser opens from the file system.
/// </summary>
internal static class LabHtml
{
    /// <summary>Writes DIR/index.html and returns its path.</summary>
    public static string Write(LabResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "index.html");
        File.WriteAllText(path, Render(result), new UTF8Encoding(false));
        return path;
    }

    /// <summary>Returns the page.</summary>
    public static string Render(LabResult result)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>mptcp-privacy lab</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; font-size: 14px; }
            th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
            th { background: #eee; }
            tr.group td { background: #f6f6f6; font-weight: bold; }
            td.bad { background: #fdd; } td.good { background: #dfd; }
            figure { margin: 1em 0; } figcaption { font-weight: bold; }
            </style></head><body>
            <h1>mptcp-privacy lab</h1>

            """);
        html.Append($"<p>Mobile user: Wi-Fi (50 Mbit/s, 20 ms) and cellular (20 Mbit/s, 60 ms), Wi-Fi address changes at 150 ms, cellular at 350 ms, {result.Connections} connections, ")
            .Append($"server announces a second address. Seed {result.Seed}{(result.Quick ? ", quick" : "")}; {result.ElapsedSeconds:0.0} s wall on the machine that ran it.</p>\n");
        if (result.Columns.Any(c => c.Backend == LabBackend.Netns))
        {
            html.Append($"<p>{Encode(LabTable.NetnsNote)}.</p>\n");
        }

        html.Append("<p>Observer cells: <b>k/n</b> = links k of the n client addresses it saw of one connection (most of any), then the evidence; <b>+N</b> = addresses seen over all connections.</p>\n");
        html.Append($"<p>The row <b>{Encode(LabRunner.ProxyLabel)}</b>: the user's connections end at a proxy holding the server's addresses, which relays each over plain TCP from one address to an origin behind it. ")
            .Append("The proxy is the user's MPTCP peer, so it is of the endpoint class and links what the server's endpoint row links; the origin sees only the proxy's address.</p>\n");
        html.Append("<table><tr><th>row</th>");
        foreach (LabColumn column in result.Columns)
        {
            html.Append($"<th>{Encode(LabTable.Header(column))}</th>");
        }

        html.Append("</tr>\n");
        string group = "";
        foreach (LabRow row in LabTable.Rows(result))
        {
            if (row.Group != group)
            {
                group = row.Group;
                html.Append($"<tr class=\"group\"><td colspan=\"{result.Columns.Count + 1}\">{Encode(group)}</td></tr>\n");
            }

            html.Append($"<tr><td>{Encode(row.Label)}</td>");
            foreach (string cell in row.Cells)
            {
                html.Append($"<td class=\"{Class(row.Group, cell)}\">{Encode(cell)}</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</table>\n<h2>Timelines (the audit's, first connections of each configuration)</h2>\n");
        foreach (LabColumn column in result.Columns)
        {
            for (int i = 0; i < column.Timelines.Count; i++)
            {
                html.Append($"<figure><figcaption>{Encode(column.Configuration.Name)}, connection {i + 1}</figcaption>\n{column.Timelines[i]}\n</figure>\n");
            }
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    // A cell that reports a link or a successful attack is bad for the user; "none" and "refused" good.
    private static string Class(string group, string cell) => group == "cost" ? ""
        : cell.StartsWith("joined", StringComparison.Ordinal) || cell.StartsWith("proxy links ", StringComparison.Ordinal) && char.IsDigit(cell["proxy links ".Length]) || char.IsDigit(cell[0]) && cell.Contains('/', StringComparison.Ordinal) || cell == "yes" ? "bad"
        : cell.StartsWith("none", StringComparison.Ordinal) || cell.StartsWith("refused", StringComparison.Ordinal) || cell == "no" ? "good"
        : "";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
