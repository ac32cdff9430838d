using System.Globalization;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Journal;

namespace IoTOwnerBot.Emulator.Faults;

/// <summary>
/// Answers matching requests with the injected fault before any emulated service sees them, the way a throttling
/// front door would; or, for an act-first rule, after the service carried the request out, the way a gateway that
/// times out or loses the connection would. Admin requests are never faulted.
/// </summary>
public sealed class FaultMiddleware(RequestDelegate next, FaultRules faults, EmulatorContext emulator)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var area = Areas.Of(context.Request.Path);
        var rule = area == EmulatorArea.Admin ? null : faults.Take(context.Request);
        if (rule is null)
        {
            await next(context);
            return;
        }

        context.Items[JournalMiddleware.FaultItemKey] = rule.Id;
        if (rule.Spec.ActFirst)
        {
            await ActThenFailAsync(context, rule.Spec, area);
            return;
        }
        if (rule.Spec.DelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(rule.Spec.DelayMs), emulator.Time, context.RequestAborted);
        }
        if (rule.Spec.Drop)
        {
            context.Abort();
            return;
        }
        if (rule.Spec.Status is not { } status)
        {
            await next(context);
            return;
        }

        if (rule.Spec.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }
        var (code, message) = Describe(status, area, context.Request.Path);
        await Areas.WriteErrorAsync(context, status, code, message);
    }

    /// <summary>The endpoint runs with its answer held back; then the answer is replaced, dropped, or sent late.</summary>
    private async Task ActThenFailAsync(HttpContext context, FaultSpec spec, EmulatorArea area)
    {
        var original = context.Response.Body;
        await using var held = new MemoryStream();
        context.Response.Body = held;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        if (spec.DelayMs > 0)
        {
            // The request has been carried out: a caller that gives up while waiting changes nothing.
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(spec.DelayMs), emulator.Time, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        if (spec.Drop)
        {
            context.Abort();
            return;
        }
        if (spec.Status is not { } status)
        {
            held.Position = 0;
            await held.CopyToAsync(original, context.RequestAborted);
            return;
        }
        context.Response.Clear();
        if (spec.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }
        var (code, message) = Describe(status, area, context.Request.Path);
        await Areas.WriteErrorAsync(context, status, code, message);
    }

    private static (string Code, string Message) Describe(int status, EmulatorArea area, PathString path) => status switch
    {
        409 when area == EmulatorArea.Arm => ("Conflict", $"Newer version of resource '{ArmResourceId(path)}' exists. Data was not saved"),
        409 => ("Conflict", "The request conflicts with the current state of the resource."),
        429 when area == EmulatorArea.Entra => ("temporarily_unavailable", "AADSTS50196: The server terminated an operation because it encountered a client request loop."),
        429 when area == EmulatorArea.Graph => ("TooManyRequests", "Too many requests."),
        429 when area == EmulatorArea.LogAnalytics => ("ThrottledError", "Your request was throttled. Please retry later."),
        429 => ("TooManyRequests", "The request was throttled. Retry after the interval in the Retry-After header."),
        500 when area == EmulatorArea.Entra => ("server_error", "AADSTS50000: There was an error issuing a token."),
        500 => ("InternalServerError", "Encountered internal server error. Please try again."),
        503 when area == EmulatorArea.Entra => ("temporarily_unavailable", "AADSTS90025: The request could not be processed in time."),
        503 => ("ServiceUnavailable", "The service is temporarily unavailable. Please try again later."),
        502 => ("BadGateway", "The gateway did not receive a response from the service."),
        504 => ("GatewayTimeout", "The gateway did not receive a response within the specified time period."),
        _ => ("InjectedFault", $"Fault injected by the emulator (HTTP {status})."),
    };

    private static string ArmResourceId(PathString path)
    {
        var value = path.Value ?? "";
        return value.StartsWith("/arm", StringComparison.OrdinalIgnoreCase) ? value[4..] : value;
    }
}
