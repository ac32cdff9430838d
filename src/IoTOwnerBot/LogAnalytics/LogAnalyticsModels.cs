using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTOwnerBot.LogAnalytics;

public sealed record QueryRequest(string Query, string Timespan);

public sealed record QueryResponse(List<QueryTable> Tables);

public sealed record QueryTable(string Name, List<QueryColumn> Columns, List<List<JsonElement>> Rows);

public sealed record QueryColumn(string Name, string? Type);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(QueryRequest))]
[JsonSerializable(typeof(QueryResponse))]
internal sealed partial class LogAnalyticsJsonContext : JsonSerializerContext;
