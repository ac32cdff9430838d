using System.Net;
using IoTOwnerBot.Jobs;

namespace IoTOwnerBot.Sentinel;

public sealed class SentinelException(HttpStatusCode status, string? code, string message) : Exception(message), IRemoteFailure
{
    public HttpStatusCode Status { get; } = status;
    public string? Code { get; } = code;

    /// <summary>
    /// Worth retrying later: throttling (429), server trouble (5xx), a timeout (408), or a conflict (409) that outlived
    /// the re-reads. Any other answer (400 a body Sentinel refuses, 401/403 missing rights, 404 no such incident) is
    /// permanent: the same request would get it again.
    /// </summary>
    public bool IsTransient => Status is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict or HttpStatusCode.RequestTimeout || (int)Status >= 500;

    /// <summary>Sentinel's (ARM's) Retry-After, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
