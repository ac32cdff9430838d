using System.Text;
using System.Text.RegularExpressions;

namespace IoTOwnerBot.Emulator.LogAnalytics;

/// <summary>
/// The emulator cannot run KQL. It recognises the owner-lookup shape (reference/sentinel.md §6) by its
/// <c>SystemAlertId == "…"</c> and optional <c>DeviceName == "…"</c> string literals and unescapes them as KQL does.
/// </summary>
internal static partial class OwnerQueryParser
{
    public static bool TryParse(string query, out string systemAlertId, out string? deviceName)
    {
        systemAlertId = "";
        deviceName = null;
        var alert = SystemAlertIdLiteral().Match(query);
        if (!alert.Success || !query.Contains("SecurityAlert", StringComparison.Ordinal))
        {
            return false;
        }
        systemAlertId = Unescape(alert.Groups["literal"].Value);
        var device = DeviceNameLiteral().Match(query);
        deviceName = device.Success ? Unescape(device.Groups["literal"].Value) : null;
        return true;
    }

    /// <summary>KQL string literal body: "…" or '…' with backslash escapes; @"…" verbatim with doubled quotes.</summary>
    private static string Unescape(string literal)
    {
        if (literal.StartsWith('@'))
        {
            var quote = literal[1];
            return literal[2..^1].Replace(new string(quote, 2), quote.ToString(), StringComparison.Ordinal);
        }
        var body = literal[1..^1];
        var result = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '\\' && i + 1 < body.Length)
            {
                i++;
                result.Append(body[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var c => c });
            }
            else
            {
                result.Append(body[i]);
            }
        }
        return result.ToString();
    }

    private const string Literal = """(?<literal>"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'|@"(?:[^"]|"")*"|@'(?:[^']|'')*')""";

    [GeneratedRegex(@"\bSystemAlertId\s*==\s*" + Literal)]
    private static partial Regex SystemAlertIdLiteral();

    [GeneratedRegex(@"\bDeviceName\s*==\s*" + Literal)]
    private static partial Regex DeviceNameLiteral();
}
