using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator;

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>The emulator's admin API, as tests use it (over HTTP, like a person would).</summary>
public sealed class EmulatorAdmin(EmulatorServer emulator) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = emulator.BaseUri };

    public sealed record RaisedIncident(string Name, string ArmId, JsonObject TriggerPayload);

    public async Task<RaisedIncident> RaiseAsync(string sample, string[]? ownerExposure = null, string? title = null)
    {
        var body = new JsonObject { ["sample"] = sample };
        if (ownerExposure is not null) body["ownerExposure"] = new JsonArray(ownerExposure.Select(e => (JsonNode)e!).ToArray());
        if (title is not null) body["title"] = title;
        using var response = await _http.PostAsJsonAsync("admin/incidents", body);
        await EnsureAsync(response);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var incident = json["incident"]!.AsObject();
        return new RaisedIncident(incident["name"]!.GetValue<string>(), incident["id"]!.GetValue<string>(), json["triggerPayload"]!.AsObject());
    }

    /// <summary>The incident with its comments, as the admin API shows it.</summary>
    public async Task<JsonObject> IncidentAsync(string name)
    {
        using var response = await _http.GetAsync($"admin/incidents/{name}");
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<IReadOnlyList<string>> CommentsAsync(string name)
    {
        var incident = await IncidentAsync(name);
        return incident["comments"]!.AsArray()
            .Select(c => c!["properties"]?["message"]?.GetValue<string>() ?? c["message"]!.GetValue<string>())
            .ToList();
    }

    /// <summary>The next <paramref name="times"/> matching requests fail with <paramref name="status"/> (null: only delayed).</summary>
    /// <param name="actFirst">The endpoint carries the request out first; then the fault answers (or drops) in its place.</param>
    /// <param name="drop">The connection is dropped instead of answered.</param>
    public async Task FaultAsync(string pathContains, int? status, int times, string? method = null, int? retryAfterSeconds = null, int? delayMs = null,
        bool actFirst = false, bool drop = false)
    {
        var body = new JsonObject { ["pathContains"] = pathContains, ["times"] = times, ["actFirst"] = actFirst, ["drop"] = drop };
        if (status is not null) body["status"] = status;
        if (method is not null) body["method"] = method;
        if (retryAfterSeconds is not null) body["retryAfterSeconds"] = retryAfterSeconds;
        if (delayMs is not null) body["delayMs"] = delayMs;
        using var response = await _http.PostAsJsonAsync("admin/faults", body);
        await EnsureAsync(response);
    }

    /// <summary>Adds a directory user, or changes the fields given of the one with that id or UPN.</summary>
    public async Task UpsertUserAsync(object user)
    {
        using var response = await _http.PostAsJsonAsync("admin/users", user);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The bot's next tokens lack these application roles (an admin who did not consent to them).</summary>
    public async Task WithholdRolesAsync(params string[] roles)
    {
        using var response = await _http.PutAsJsonAsync("admin/access",
            new JsonObject { ["withheldRoles"] = new JsonArray([.. roles.Select(r => (JsonNode)r!)]), ["workspace"] = "Responder" });
        await EnsureAsync(response);
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await _http.DeleteAsync("admin/faults");
        await EnsureAsync(response);
    }

    public sealed record JournalEntry(string Method, string Path, int Status, DateTimeOffset At);

    public async Task<IReadOnlyList<JournalEntry>> RequestsAsync(string pathContains)
    {
        using var response = await _http.GetAsync($"admin/requests?pathContains={Uri.EscapeDataString(pathContains)}");
        await EnsureAsync(response);
        var json = await response.Content.ReadFromJsonAsync<JsonNode>();
        var items = json is JsonArray a ? a : json!["requests"]!.AsArray();
        return items.Select(i => new JournalEntry(
            i!["method"]!.GetValue<string>(),
            (i["path"] ?? i["pathAndQuery"])!.GetValue<string>(),
            i["status"]!.GetValue<int>(),
            DateTimeOffset.Parse((i["timestamp"] ?? i["at"])!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }

    public async Task ClearRequestsAsync()
    {
        using var response = await _http.DeleteAsync("admin/requests");
        await EnsureAsync(response);
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Emulator admin call failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => _http.Dispose();
}
