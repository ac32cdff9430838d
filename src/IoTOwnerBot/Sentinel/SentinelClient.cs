using System.Net;
using IoTOwnerBot.Jobs;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Sentinel;

/// <summary>
/// Typed client for the Microsoft Sentinel incidents REST API (Microsoft.SecurityInsights on ARM).
/// This class owns the protocol: api-versions, paging, and the GET → modify → PUT update with the etag, re-applied on
/// 409. The HTTP pipeline retries a failed request at most once and leaves throttling to the caller; what is left is
/// thrown as <see cref="SentinelException"/> with the service's Retry-After, for durable work to schedule.
/// </summary>
public sealed partial class SentinelClient(HttpClient http, IOptions<SentinelOptions> options, TimeProvider time, ILogger<SentinelClient> logger)
{
    private readonly SentinelOptions _options = options.Value;

    public async Task<IncidentResource?> GetIncidentAsync(IncidentRef incident, CancellationToken ct)
    {
        using var response = await http.GetAsync(Url(incident.ArmId, _options.ApiVersion), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccessAsync(response, "get incident", ct);
        return await response.Content.ReadFromJsonAsync(SentinelJsonContext.Default.IncidentResource, ct);
    }

    /// <summary>Incidents of a workspace, most recently modified first, page by page.</summary>
    public async IAsyncEnumerable<IncidentResource> ListIncidentsByLastModifiedAsync(
        WorkspaceOptions workspace, int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var basePath = $"{workspace.Incident("x").ArmId[..^"/x".Length]}";
        var next = Url(basePath, _options.ApiVersion) +
                   $"&$orderby={Uri.EscapeDataString("properties/lastModifiedTimeUtc desc")}&$top={pageSize}";
        while (next is not null)
        {
            using var response = await http.GetAsync(new Uri(next, UriKind.RelativeOrAbsolute), ct);
            await EnsureSuccessAsync(response, "list incidents", ct);
            var page = await response.Content.ReadFromJsonAsync(SentinelJsonContext.Default.IncidentList, ct)
                       ?? throw new SentinelException(response.StatusCode, null, "empty incident list");
            foreach (var item in page.Value) yield return item;
            next = string.IsNullOrEmpty(page.NextLink) ? null : SameOrigin(page.NextLink);
        }
    }

    public async Task<IReadOnlyList<AlertResource>> ListAlertsAsync(IncidentRef incident, CancellationToken ct)
    {
        using var response = await http.PostAsync(Url(incident.ArmId + "/alerts", _options.ApiVersion), null, ct);
        await EnsureSuccessAsync(response, "list alerts", ct);
        var list = await response.Content.ReadFromJsonAsync(SentinelJsonContext.Default.AlertList, ct);
        return list?.Value ?? [];
    }

    /// <summary>Entities of the incident; the configured preview api-version includes IoT device owners.</summary>
    public async Task<IReadOnlyList<EntityResource>> ListEntitiesAsync(IncidentRef incident, CancellationToken ct)
    {
        using var response = await http.PostAsync(Url(incident.ArmId + "/entities", _options.EntitiesApiVersion), null, ct);
        await EnsureSuccessAsync(response, "list entities", ct);
        var list = await response.Content.ReadFromJsonAsync(SentinelJsonContext.Default.EntityList, ct);
        return list?.Entities ?? [];
    }

    /// <summary>Sentinel refuses a comment longer than this (characters), for good: it would never be written.</summary>
    public const int MaxCommentLength = 30_000;

    public const string TruncatedMarker = " … [shortened to fit Sentinel's comment limit; the full text is on the question's timeline (SOC API)]";

    /// <summary>The comment as it can be written: cut, with a marker, when longer than Sentinel allows.</summary>
    public static string FitComment(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length <= MaxCommentLength) return message;
        var cut = MaxCommentLength - TruncatedMarker.Length;
        if (char.IsHighSurrogate(message[cut - 1])) cut--;
        return string.Concat(message.AsSpan(0, cut), TruncatedMarker);
    }

    /// <summary>Adds a comment under a caller-chosen id: a retried call with the same id never duplicates it.</summary>
    public async Task AddCommentAsync(IncidentRef incident, Guid commentId, string message, CancellationToken ct)
    {
        var body = new CommentBody(new CommentProperties(FitComment(message)));
        using var response = await http.PutAsJsonAsync(
            Url($"{incident.ArmId}/comments/{commentId:D}", _options.ApiVersion), body, SentinelJsonContext.Default.CommentBody, ct);
        await EnsureSuccessAsync(response, "add comment", ct);
    }

    /// <summary>
    /// Reads the incident, lets <paramref name="change"/> modify its properties, and writes them back with the etag.
    /// On 409 (someone else wrote in between) it reads again and re-applies the change. <paramref name="change"/>
    /// returns null when nothing needs writing (e.g. an analyst already closed the incident).
    /// </summary>
    /// <param name="beforeWrite">Called right before each PUT, when a change is about to be written (to record what it says first).</param>
    public async Task<IncidentResource?> UpdateIncidentAsync(
        IncidentRef incident, Func<IncidentProperties, IncidentProperties?> change, CancellationToken ct,
        Func<CancellationToken, Task>? beforeWrite = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetIncidentAsync(incident, ct)
                          ?? throw new SentinelException(HttpStatusCode.NotFound, "NotFound", $"Incident {incident} does not exist.");
            var changed = change(current.Properties);
            if (changed is null) return current;

            if (beforeWrite is not null) await beforeWrite(ct);
            var body = new IncidentResource { Etag = current.Etag, Properties = changed.ForUpdate() };
            using var response = await http.PutAsJsonAsync(Url(incident.ArmId, _options.ApiVersion), body,
                SentinelJsonContext.Default.IncidentResource, ct);
            if (response.StatusCode == HttpStatusCode.Conflict && attempt <= _options.UpdateConflictRetries)
            {
                Log.UpdateConflict(logger, incident.IncidentName, attempt);
                continue;
            }
            await EnsureSuccessAsync(response, "update incident", ct);
            return await response.Content.ReadFromJsonAsync(SentinelJsonContext.Default.IncidentResource, ct);
        }
    }

    /// <summary>A nextLink is followed only on the ARM endpoint itself: the bearer token must never go elsewhere.</summary>
    private string SameOrigin(string nextLink)
    {
        var link = new Uri(nextLink, UriKind.RelativeOrAbsolute);
        if (link.IsAbsoluteUri && http.BaseAddress is { } arm &&
            Uri.Compare(link, arm, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
            throw new SentinelException(HttpStatusCode.BadGateway, "UnexpectedNextLink", $"Sentinel returned a nextLink on another host ({link.Host}); not followed.");
        return nextLink;
    }

    private static string Url(string path, string apiVersion) =>
        $"{path.TrimStart('/')}?api-version={Uri.EscapeDataString(apiVersion)}";

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        CloudError? error = null;
        try
        {
            error = (await response.Content.ReadFromJsonAsync(SentinelJsonContext.Default.CloudErrorBody, ct))?.Error;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a CloudError body (a gateway page, say); the status code is what matters.
        }
        throw new SentinelException(response.StatusCode, error?.Code, $"Sentinel {operation} failed: {(int)response.StatusCode} {error?.Code} {error?.Message}".TrimEnd())
        {
            RetryAfter = DurableRetry.RetryAfter(response.Headers.RetryAfter, time.GetUtcNow()),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Incident {IncidentName} changed while updating (409); re-reading, attempt {Attempt}")]
        public static partial void UpdateConflict(ILogger logger, string incidentName, int attempt);
    }
}
