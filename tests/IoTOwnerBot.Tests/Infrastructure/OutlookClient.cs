using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator;

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>Mailboxes and the emulator's Outlook (clicking card buttons), as tests use them over HTTP.</summary>
public sealed class OutlookClient(EmulatorServer emulator) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = emulator.BaseUri };

    public sealed record Mail(string Id, string Subject, string Body, IReadOnlyList<string> To, IReadOnlyDictionary<string, string> Headers);

    public sealed record Click(int Status, string? CardActionStatus, bool CardUpdated, JsonObject? Card);

    public async Task<IReadOnlyList<Mail>> InboxAsync(string address) => await FolderAsync(address, "messages");

    public async Task<IReadOnlyList<Mail>> SentItemsAsync(string address) => await FolderAsync(address, "sentItems");

    private async Task<IReadOnlyList<Mail>> FolderAsync(string address, string folder)
    {
        var json = (await _http.GetFromJsonAsync<JsonObject>($"admin/mailboxes/{Uri.EscapeDataString(address)}"))!;
        return [.. json[folder]!.AsArray().Select(m => new Mail(
            (string)m!["id"]!,
            (string)m["subject"]!,
            (string)m["body"]!,
            [.. m["to"]!.AsArray().Select(t => (string)t!["address"]!)],
            (m["internetMessageHeaders"]?.AsArray() ?? []).ToDictionary(h => (string)h!["name"]!, h => (string)h!["value"]!, StringComparer.OrdinalIgnoreCase)))];
    }

    /// <summary>The card the message shows now (after any refresh an action returned).</summary>
    public async Task<JsonObject> CardAsync(string address, string messageId = "latest")
    {
        using var response = await _http.GetAsync($"admin/mailboxes/{Uri.EscapeDataString(address)}/messages/{messageId}/card");
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>
    /// Clicks the button at <paramref name="index"/> (0: yes, 1: no; titles are in the owner's language) as
    /// <paramref name="asUser"/>, with optional token overrides (see the emulator's OutlookClick).
    /// </summary>
    public async Task<Click> ClickAsync(string address, int index, string asUser, JsonObject? token = null, string messageId = "latest", string? tokenHeader = null,
        JsonObject? inputs = null)
    {
        var body = new JsonObject { ["index"] = index, ["asUser"] = asUser };
        if (inputs is not null) body["inputs"] = inputs;
        if (token is not null) body["token"] = token;
        if (tokenHeader is not null) body["tokenHeader"] = tokenHeader;
        using var response = await _http.PostAsJsonAsync($"admin/mailboxes/{Uri.EscapeDataString(address)}/messages/{messageId}/actions", body);
        await EnsureAsync(response);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return new Click((int)json["status"]!, (string?)json["cardActionStatus"], (bool)json["cardUpdated"]!, json["card"] as JsonObject);
    }

    /// <summary>Opens the message as <paramref name="asUser"/>: Outlook runs the card's autoInvokeAction and shows what comes back.</summary>
    public async Task<Click> OpenAsync(string address, string asUser, string messageId = "latest")
    {
        using var response = await _http.PostAsJsonAsync($"admin/mailboxes/{Uri.EscapeDataString(address)}/messages/{messageId}/open", new JsonObject { ["asUser"] = asUser });
        await EnsureAsync(response);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return new Click((int)json["status"]!, (string?)json["cardActionStatus"], (bool)json["cardUpdated"]!, json["card"] as JsonObject);
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Emulator call failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => _http.Dispose();
}
