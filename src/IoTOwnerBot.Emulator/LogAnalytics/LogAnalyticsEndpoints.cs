using System.Text.Json;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Sentinel;

using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTOwnerBot.Emulator.LogAnalytics;

/// <summary>
/// Log Analytics query API (<c>POST /loganalytics/v1/workspaces/{workspaceId}/query</c>), answering the owner lookup
/// from the incidents of <see cref="SentinelWorld"/> in the real response shape (dynamic columns as JSON text).
/// </summary>
public static class LogAnalyticsEndpoints
{
    public static IEndpointRouteBuilder MapLogAnalyticsEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/loganalytics/v1/workspaces").MapPost("/{workspaceId}/query", Query);
        return routes;
    }

    public static Results<Ok<QueryResponse>, JsonHttpResult<ErrorEnvelope>> Query(string workspaceId, QueryRequest body, SentinelWorld sentinel, EmulatorContext emulator)
    {
        if (!string.Equals(workspaceId, emulator.Workspace.WorkspaceId, StringComparison.OrdinalIgnoreCase))
        {
            return Error(404, "WorkspaceNotFoundError", $"The workspace could not be found: '{workspaceId}'.");
        }
        if (string.IsNullOrWhiteSpace(body.Query))
        {
            return Error(400, "BadArgumentError", "The request had some invalid properties: 'query' is required.");
        }
        if (!OwnerQueryParser.TryParse(body.Query, out var systemAlertId, out var deviceName))
        {
            return Error(400, "BadArgumentError",
                "The emulator only understands the SecurityAlert owner lookup (a query with SystemAlertId == \"…\" and optionally DeviceName == \"…\").");
        }

        var rows = sentinel.OwnerRows(systemAlertId, deviceName)
            .Select(r => new JsonArray(
                r.DeviceName,
                r.Owners is null ? null : JsonSerializer.Serialize(r.Owners, EmulatorJson.Default.IReadOnlyListString),
                r.Sensor,
                r.Site,
                r.Zone))
            .ToList();
        return TypedResults.Ok(new QueryResponse([
            new QueryTable("PrimaryResult",
            [
                new QueryColumn("DeviceName", "string"),
                new QueryColumn("Owners", "dynamic"),
                new QueryColumn("Sensor", "string"),
                new QueryColumn("Site", "string"),
                new QueryColumn("Zone", "string"),
            ],
            rows),
        ]));
    }

    private static JsonHttpResult<ErrorEnvelope> Error(int status, string code, string message) =>
        TypedResults.Json(ErrorEnvelope.Of(code, message), statusCode: status);
}

public sealed record QueryRequest(string? Query, string? Timespan);

public sealed record QueryResponse(IReadOnlyList<QueryTable> Tables);

public sealed record QueryTable(string Name, IReadOnlyList<QueryColumn> Columns, IReadOnlyList<JsonArray> Rows);

public sealed record QueryColumn(string Name, string Type);
