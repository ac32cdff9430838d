using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Jobs;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

/// <summary>
/// The Bot Connector REST API, as far as the bot needs it: create a 1:1 conversation or a channel thread, list a
/// conversation's member, send and update activities. The HTTP pipeline adds the bot's token, keeps to Teams' rate limits and retries 429, 412 and
/// 5xx honouring Retry-After; what is left is thrown as <see cref="ConnectorException"/>. Calls go only to service URLs
/// from validated activities or configuration.
/// </summary>
public sealed class BotConnectorClient(HttpClient http, IOptions<BotOptions> bot, TimeProvider time)
{
    public async Task<string> CreateConversationAsync(string serviceUrl, string memberId, string tenantId, CancellationToken ct)
    {
        var body = new ConversationParameters(false, new ChannelAccount { Id = "28:" + bot.Value.AppId }, [new ChannelAccount { Id = memberId }], tenantId,
            new JsonObject { ["tenant"] = new JsonObject { ["id"] = tenantId } });
        using var response = await http.PostAsJsonAsync(Url(serviceUrl, "v3/conversations"), body, TeamsJson.Default.ConversationParameters, ct);
        var created = await ReadAsync(response, TeamsJson.Default.ResourceResponse, ct);
        return created?.Id ?? throw new ConnectorException(response.StatusCode, null, "Create conversation returned no id.", null);
    }

    /// <summary>
    /// Starts a new thread in a team channel with <paramref name="root"/> as its first message (Teams needs the activity
    /// here). Returns the thread's conversation id (<c>{channelId};messageid={rootId}</c>) and the root's activity id.
    /// Not idempotent: only refusals (429, 412) are retried by the pipeline.
    /// </summary>
    public async Task<(string ConversationId, string RootActivityId)> CreateChannelThreadAsync(
        string serviceUrl, string channelId, string tenantId, OutgoingActivity root, CancellationToken ct)
    {
        var body = new ChannelThreadParameters(true, tenantId,
            new JsonObject { ["channel"] = new JsonObject { ["id"] = channelId }, ["tenant"] = new JsonObject { ["id"] = tenantId } }, root);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(serviceUrl, "v3/conversations"))
        {
            Content = JsonContent.Create(body, TeamsJson.Default.ChannelThreadParameters),
        };
        request.Options.Set(AtMostOnce, true);
        using var response = await http.SendAsync(request, ct);
        var created = await ReadAsync(response, TeamsJson.Default.ResourceResponse, ct);
        if (created?.Id is not { Length: > 0 } id)
            throw new ConnectorException(response.StatusCode, null, "Create conversation returned no id.", null);
        var marker = id.IndexOf(";messageid=", StringComparison.Ordinal);
        var rootId = created.ActivityId is { Length: > 0 } activityId ? activityId
            : marker >= 0 ? id[(marker + ";messageid=".Length)..]
            : throw new ConnectorException(response.StatusCode, null, "Create thread returned no root activity id.", null);
        return (marker >= 0 ? id : $"{id};messageid={rootId}", rootId);
    }

    /// <summary>
    /// Sends once: the pipeline retries only answers that say the message was refused (429, 412), never a 5xx or a
    /// timeout, after which Teams may already have posted it. For replies that must never appear twice.
    /// </summary>
    public async Task<string> SendAtMostOnceAsync(string serviceUrl, string conversationId, OutgoingActivity activity, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(serviceUrl, $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities"))
        {
            Content = JsonContent.Create(activity, TeamsJson.Default.OutgoingActivity),
        };
        request.Options.Set(AtMostOnce, true);
        using var response = await http.SendAsync(request, ct);
        var sent = await ReadAsync(response, TeamsJson.Default.ResourceResponse, ct);
        return sent?.Id ?? throw new ConnectorException(response.StatusCode, null, "Send returned no activity id.", null);
    }

    /// <summary>Marks a request the pipeline may retry only when Teams refused it (see <see cref="ShouldRetry"/>).</summary>
    public static readonly HttpRequestOptionsKey<bool> AtMostOnce = new("IoTOwnerBot.AtMostOnce");

    /// <summary>
    /// The retry rule of the pipeline: transient failures and 412; for <see cref="AtMostOnce"/> requests only 429
    /// and 412, the answers that say nothing was posted.
    /// </summary>
    public static bool ShouldRetry(Polly.Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        var status = outcome.Result?.StatusCode;
        if (request is not null && request.Options.TryGetValue(AtMostOnce, out var once) && once)
            return status is HttpStatusCode.TooManyRequests or HttpStatusCode.PreconditionFailed;
        return Microsoft.Extensions.Http.Resilience.HttpClientResiliencePredicates.IsTransient(outcome) || status == HttpStatusCode.PreconditionFailed;
    }

    /// <summary>The conversation's first member (in a 1:1 chat, the user), for their <c>29:</c> id.</summary>
    public async Task<ChannelAccount?> FirstMemberAsync(string serviceUrl, string conversationId, CancellationToken ct)
    {
        using var response = await http.GetAsync(Url(serviceUrl, $"v3/conversations/{Uri.EscapeDataString(conversationId)}/pagedmembers?pageSize=1"), ct);
        var page = await ReadAsync(response, TeamsJson.Default.PagedMembers, ct);
        return page?.Members is { Count: > 0 } members ? members[0] : null;
    }

    public async Task<string> SendAsync(string serviceUrl, string conversationId, OutgoingActivity activity, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(Url(serviceUrl, $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities"),
            activity, TeamsJson.Default.OutgoingActivity, ct);
        var sent = await ReadAsync(response, TeamsJson.Default.ResourceResponse, ct);
        return sent?.Id ?? throw new ConnectorException(response.StatusCode, null, "Send returned no activity id.", null);
    }

    /// <summary>Replaces a message for everyone (PUT is idempotent).</summary>
    public async Task UpdateAsync(string serviceUrl, string conversationId, string activityId, OutgoingActivity activity, CancellationToken ct)
    {
        using var response = await http.PutAsJsonAsync(
            Url(serviceUrl, $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities/{Uri.EscapeDataString(activityId)}"),
            activity, TeamsJson.Default.OutgoingActivity, ct);
        await ReadAsync(response, TeamsJson.Default.ResourceResponse, ct);
    }

    private static Uri Url(string serviceUrl, string path) => new(serviceUrl.TrimEnd('/') + "/" + path);

    private async Task<T?> ReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            string? code = null, message = null;
            try
            {
                var error = JsonSerializer.Deserialize(text, TeamsJson.Default.ConnectorError)?.Error;
                (code, message) = (error?.Code, error?.Message);
            }
            catch (JsonException)
            {
                // not the Connector's error shape
            }
            throw new ConnectorException(response.StatusCode, code, message ?? Truncate(text), DurableRetry.RetryAfter(response.Headers.RetryAfter, time.GetUtcNow()));
        }
        return text.Length == 0 ? default : JsonSerializer.Deserialize(text, type);
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500];
}
