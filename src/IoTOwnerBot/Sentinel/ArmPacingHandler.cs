namespace IoTOwnerBot.Sentinel;

/// <summary>Takes an ARM token for every request of the Sentinel client (inside the retry loop) and reads what ARM says is left.</summary>
internal sealed class ArmPacingHandler(ArmBudget budget) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var subscription = SubscriptionOf(request.RequestUri);
        var kind = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head ? ArmOperation.Read : ArmOperation.Write;
        await budget.AcquireAsync(subscription, kind, cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        budget.Observe(subscription, kind, response);
        return response;
    }

    /// <summary>The subscription of an ARM URL (<c>/subscriptions/{id}/…</c>); ARM's buckets are per subscription.</summary>
    internal static string SubscriptionOf(Uri? uri)
    {
        var segments = uri?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var at = Array.FindIndex(segments, s => s.Equals("subscriptions", StringComparison.OrdinalIgnoreCase));
        return at >= 0 && at + 1 < segments.Length ? segments[at + 1] : "(tenant)";
    }
}
