namespace IoTOwnerBot.Teams;

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
