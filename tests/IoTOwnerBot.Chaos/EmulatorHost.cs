using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Chaos;

/// <summary>
/// The emulator ("the cloud": Sentinel, Graph mail, Teams, Entra) as its own process, so its state outlives every kill
/// of the service, and its admin API: raising incidents, reading incidents, mailboxes, chats and the SOC channel,
/// clicking cards as their owners, faults, the request journal and tokens.
/// </summary>
public sealed class EmulatorHost : IDisposable
{
    private readonly ChildProcess _process;
    private readonly HttpClient _http;

    private EmulatorHost(ChildProcess process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
        _http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(100) };
    }

    public Uri BaseUri { get; }

    public static async Task<EmulatorHost> StartAsync(string logs)
    {
        var port = ChildProcess.FreeLoopbackPort();
        var url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/");
        var process = ChildProcess.Start("IoTOwnerBot.Emulator.dll", ["--urls", url.TrimEnd('/')], Path.Combine(logs, "emulator.log"));
        var host = new EmulatorHost(process, new Uri(url));
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                using var overview = await host._http.GetAsync("admin");
                if (overview.IsSuccessStatusCode) return host;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                host.Dispose();
                throw new InvalidOperationException($"The emulator did not start (see {Path.Combine(logs, "emulator.log")}).");
            }
            await Task.Delay(100);
        }
    }

    public Task<JsonArray> SamplesAsync() => GetAsync<JsonArray>("admin/samples");

    public Task<JsonArray> UsersAsync() => GetAsync<JsonArray>("admin/users");

    /// <summary>Adds a directory user or changes the fields given (<c>"mail": null</c> removes a mailbox).</summary>
    public Task UpsertUserAsync(JsonObject user) => PostAsync("admin/users", user);

    /// <summary>Raises an incident from a sample with the given title → <c>{incident, triggerPayload}</c>.</summary>
    public Task<JsonObject> RaiseAsync(string sample, string title) =>
        PostAsync("admin/incidents", new JsonObject { ["sample"] = sample, ["title"] = title });

    /// <summary><c>{incident, comments, …}</c> as the emulated Sentinel holds it now.</summary>
    public Task<JsonObject> IncidentAsync(string name) => GetAsync<JsonObject>($"admin/incidents/{name}");

    public Task<JsonObject> MailboxAsync(string address) => GetAsync<JsonObject>($"admin/mailboxes/{Uri.EscapeDataString(address)}");

    /// <summary>The bot's chat with a user, or null when there is none.</summary>
    public async Task<JsonObject?> ChatAsync(string user)
    {
        using var response = await _http.GetAsync($"admin/teams/{Uri.EscapeDataString(user)}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
    }

    public Task<JsonObject> ChannelAsync(string channelId) => GetAsync<JsonObject>($"admin/teams/channels/{Uri.EscapeDataString(channelId)}");

    /// <summary>Where the emulated Teams posts the users' activities (local mode registers this itself in-process).</summary>
    public Task RegisterBotAsync(Uri messagingEndpoint, string botAppId) =>
        PostAsync("admin/teams/bot", new JsonObject { ["messagingEndpoint"] = messagingEndpoint.AbsoluteUri, ["botAppId"] = botAppId });

    /// <summary>What a click came to: the emulator's own status, and the service's answer when the click reached it.</summary>
    public sealed record ClickReply(int EmulatorStatus, int? ServiceStatus, string Detail);

    /// <summary>Outlook clicks button <paramref name="index"/> (0 yes, 1 no) of an e-mail, as its recipient.</summary>
    public Task<ClickReply> ClickOutlookAsync(string address, string messageId, int index) =>
        ClickAsync($"admin/mailboxes/{Uri.EscapeDataString(address)}/messages/{messageId}/actions",
            new JsonObject { ["index"] = index, ["asUser"] = address });

    /// <summary>A Teams user clicks the answer button (<c>yes</c>/<c>no</c>) of a card in their chat with the bot.</summary>
    public Task<ClickReply> ClickTeamsAsync(string user, string activityId, string answer, Uri messagingEndpoint) =>
        ClickAsync($"admin/teams/{Uri.EscapeDataString(user)}/messages/{activityId}/actions",
            new JsonObject { ["answer"] = answer, ["messagingEndpoint"] = messagingEndpoint.AbsoluteUri });

    private async Task<ClickReply> ClickAsync(string path, JsonObject body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) return new ClickReply((int)response.StatusCode, null, text);
        var reply = JsonNode.Parse(text)!.AsObject();
        return new ClickReply((int)response.StatusCode, (int?)reply["status"], text);
    }

    public Task AddFaultAsync(JsonObject spec) => PostAsync("admin/faults", spec);

    public async Task ClearFaultsAsync()
    {
        using var response = await _http.DeleteAsync("admin/faults");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The request journal: every call the service made to the emulated Microsoft endpoints.</summary>
    public Task<JsonArray> RequestsAsync() => GetAsync<JsonArray>("admin/requests");

    /// <summary>An app token of the emulated Entra (the forwarder's for intake, or a SOC caller's with a role).</summary>
    public async Task<string> TokenAsync(string audience, params string[] roles)
    {
        var body = new JsonObject { ["audience"] = audience };
        if (roles.Length > 0) body["roles"] = new JsonArray([.. roles.Select(r => (JsonNode)r!)]);
        var token = await PostAsync("admin/tokens", body);
        return (string)token["accessToken"]!;
    }

    private async Task<T> GetAsync<T>(string path) where T : JsonNode
    {
        using var response = await _http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {text}");
        return (T)JsonNode.Parse(text)!;
    }

    private async Task<JsonObject> PostAsync(string path, JsonObject body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"POST {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
    }
}
