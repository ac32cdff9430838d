using System.Globalization;
using System.Net;
using IoTOwnerBot.Jobs;

namespace IoTOwnerBot.Teams;

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
