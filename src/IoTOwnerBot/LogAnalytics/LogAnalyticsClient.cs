using System.Text;
using System.Text.Json;

namespace IoTOwnerBot.LogAnalytics;

/// <summary>
/// Typed client for the Log Analytics query API (<c>POST /v1/workspaces/{id}/query</c>). Columns are
/// mapped by name, never by position; <c>dynamic</c> columns arrive as JSON text.
/// </summary>
public sealed class LogAnalyticsClient(HttpClient http)
{
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> QueryAsync(
        string workspaceId, string query, string timespan, CancellationToken ct)
    {
        if (!Guid.TryParse(workspaceId, out var id))
            throw new ArgumentException("The Log Analytics workspace id must be the workspace GUID.", nameof(workspaceId));
        using var response = await http.PostAsJsonAsync($"v1/workspaces/{id:D}/query", new QueryRequest(query, timespan),
            LogAnalyticsJsonContext.Default.QueryRequest, ct);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException(
                $"Log Analytics query failed: {(int)response.StatusCode} {Truncate(detail, 300)}", null, response.StatusCode);
        }
        var result = await response.Content.ReadFromJsonAsync(LogAnalyticsJsonContext.Default.QueryResponse, ct);
        var table = result?.Tables.FirstOrDefault(t => t.Name == "PrimaryResult") ?? result?.Tables.FirstOrDefault();
        if (table is null) return [];
        return table.Rows.Select(row =>
        {
            var map = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < table.Columns.Count && i < row.Count; i++) map[table.Columns[i].Name] = row[i];
            return (IReadOnlyDictionary<string, JsonElement>)map;
        }).ToList();
    }

    /// <summary>A KQL string literal: the value can never end the literal or inject operators.</summary>
    public static string KqlString(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                default:
                    if (char.IsControl(c)) sb.Append(@"\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
