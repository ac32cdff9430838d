using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
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

public sealed class ConnectorException(HttpStatusCode status, string? code, string message, TimeSpan? retryAfter)
    : Exception($"Bot Connector answered {(int)status} {code}: {message}"), IRemoteFailure
{
    public HttpStatusCode Status { get; } = status;
    public string? Code { get; } = code;
    public string Detail { get; } = message;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>403 because the app is not installed for the user (or the user blocked the bot).</summary>
    public bool IsNotInstalled => Status == HttpStatusCode.Forbidden && !IsBlocked;

    public bool IsBlocked => Status == HttpStatusCode.Forbidden && Detail.Contains("MessageWritesBlocked", StringComparison.Ordinal);

    public bool IsTransient => (int)Status is 408 or 412 or 429 or >= 500;

    /// <summary>
    /// An answer that says the request was not carried out, so sending again cannot duplicate it: a 4xx Teams gave
    /// before acting. A 5xx (503 included) may come from a front end after the post was made, so it says nothing.
    /// </summary>
    public bool WasRefused => (int)Status is 400 or 401 or 403 or 404 or 412 or 413 or 429;

    public string Summary => string.Create(CultureInfo.InvariantCulture, $"{(int)Status} {Code}: {Detail}");
}

/// <summary>
/// Teams' limits, kept before a request leaves: per conversation one request at a time and a token bucket that stays
/// inside every window of Teams' per-conversation table (7 in 1 s, 8 in 2 s, 60 in 30 s, 1,800 in an hour): a burst of
/// <see cref="ConversationBurst"/> and one more every <see cref="ConversationInterval"/> admit at most 6 + ⌈W / 2.1 s⌉
/// calls in any W seconds. The tenant has its own bucket (30/s). Requests wait for a permit instead of earning a 429.
/// The limits are Teams' for the bot as a whole, so with several instances each keeps to its share (<see cref="JobOptions.Instances"/>).
/// </summary>
public sealed class TeamsRateLimits : IDisposable
{
    private const int Burst = 6;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2.1);

    private readonly PartitionedRateLimiter<string> _perConversation;
    private readonly TokenBucketRateLimiter _tenant;

    public TeamsRateLimits(IOptions<BotOptions> options, IOptions<JobOptions> jobs)
    {
        var o = options.Value;
        ConversationBurst = jobs.Value.ShareOf(Burst);
        ConversationInterval = Interval * jobs.Value.Instances;
        TenantPerSecond = jobs.Value.ShareOf(o.RequestsPerSecondPerTenant);
        var bucket = PartitionedRateLimiter.Create<string, string>(conversation => RateLimitPartition.GetTokenBucketLimiter(conversation, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = ConversationBurst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = ConversationInterval,
                QueueLimit = 10_000,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            }));
        var serial = PartitionedRateLimiter.Create<string, string>(conversation => RateLimitPartition.GetConcurrencyLimiter(conversation, _ =>
            new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 10_000, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }));
        _perConversation = PartitionedRateLimiter.CreateChained(serial, bucket);
        _tenant = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = TenantPerSecond,
            TokensPerPeriod = TenantPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>This instance's calls at once per conversation before the pacing starts.</summary>
    public int ConversationBurst { get; }

    /// <summary>This instance's pace per conversation after the burst: one call per interval.</summary>
    public TimeSpan ConversationInterval { get; }

    /// <summary>This instance's calls per second for the tenant.</summary>
    public int TenantPerSecond { get; }

    /// <summary>Tenant permits left in the current second.</summary>
    internal long TenantPermitsAvailable => _tenant.GetStatistics()?.CurrentAvailablePermits ?? 0;

    public async Task<IDisposable> AcquireAsync(string conversation, CancellationToken ct)
    {
        var tenant = await _tenant.AcquireAsync(1, ct);
        var own = await _perConversation.AcquireAsync(conversation, 1, ct);
        if (!tenant.IsAcquired || !own.IsAcquired)
        {
            tenant.Dispose();
            own.Dispose();
            throw new NotSentException("Bot Connector rate limit queue is full.");
        }
        return new Leases(tenant, own);
    }

    public void Dispose()
    {
        _perConversation.Dispose();
        _tenant.Dispose();
    }

    private sealed class Leases(RateLimitLease a, RateLimitLease b) : IDisposable
    {
        public void Dispose()
        {
            a.Dispose();
            b.Dispose();
        }
    }
}

/// <summary>Takes a rate-limit permit for every attempt (inside the retry loop), keyed by the conversation in the URL.</summary>
internal sealed class TeamsRateLimitHandler(TeamsRateLimits limits) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await limits.AcquireAsync(ConversationOf(request.RequestUri), cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }

    private static string ConversationOf(Uri? uri)
    {
        var path = uri?.AbsolutePath ?? "";
        var at = path.IndexOf("/v3/conversations/", StringComparison.Ordinal);
        if (at < 0) return "(create)";
        var rest = path[(at + "/v3/conversations/".Length)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return Uri.UnescapeDataString(slash < 0 ? rest : rest[..slash]);
    }
}
