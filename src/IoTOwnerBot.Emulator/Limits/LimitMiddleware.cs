using System.Globalization;
using System.Security.Claims;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Tenant;

namespace IoTOwnerBot.Emulator.Limits;

/// <summary>
/// Holds every authenticated call to the providers' limits before the emulated service sees it: Graph's per-mailbox
/// concurrency and request budget on Outlook data, ARM's token buckets (with the
/// <c>x-ms-ratelimit-remaining-subscription-*</c> header on every answer), Log Analytics' query rate and concurrency,
/// and the Bot Connector's per-conversation and per-tenant rates. Refusals are 429 with <c>Retry-After</c>, in the
/// called service's error format. Exchange's sending limits are applied by sendMail itself (they hold or refuse the
/// message, not the request).
/// </summary>
public sealed class LimitMiddleware(RequestDelegate next, ProviderThrottle throttle, TenantWorld tenant, EmulatorContext emulator)
{
    private static readonly string[] OutlookData = ["sendMail", "messages", "mailFolders", "mailboxSettings"];

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (Areas.Of(context.Request.Path))
        {
            case EmulatorArea.Graph when segments is [_, _, "users", var id, var data, ..] && OutlookData.Contains(data, StringComparer.OrdinalIgnoreCase):
                var mailbox = tenant.FindUser(Uri.UnescapeDataString(id))?.Id ?? Uri.UnescapeDataString(id);
                using (var lease = throttle.EnterMailbox(App(context.User), mailbox))
                {
                    if (!lease.Allowed)
                    {
                        await RefuseAsync(context, lease);
                        return;
                    }
                    await next(context);
                }
                return;

            case EmulatorArea.Arm when segments is [_, "subscriptions", var subscription, ..]:
                var arm = throttle.TakeArm(subscription, Principal(context.User), context.Request.Method);
                if (!arm.Allowed)
                {
                    context.Response.Headers[arm.Header] = "0";
                    context.Response.Headers.RetryAfter = arm.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    await Areas.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, "TooManyRequests",
                        $"The request is throttled: the subscription's {arm.Header["x-ms-ratelimit-remaining-subscription-".Length..]} budget for this principal is spent. Retry after {arm.RetryAfterSeconds} seconds.");
                    return;
                }
                context.Response.Headers[arm.Header] = arm.Remaining.ToString(CultureInfo.InvariantCulture);
                await next(context);
                return;

            case EmulatorArea.LogAnalytics when HttpMethods.IsPost(context.Request.Method):
                using (var lease = await throttle.EnterLogAnalyticsAsync(Principal(context.User), context.RequestAborted))
                {
                    if (!lease.Allowed)
                    {
                        await RefuseAsync(context, lease);
                        return;
                    }
                    await next(context);
                }
                return;

            case EmulatorArea.Teams when segments is ["teams", "v3", "conversations", ..]:
                var conversation = segments is [_, _, _, var conversationId, "activities", ..] && !HttpMethods.IsGet(context.Request.Method)
                    ? Uri.UnescapeDataString(conversationId)
                    : null;
                var teams = throttle.TakeTeams(App(context.User), emulator.TenantId, conversation);
                if (!teams.Allowed)
                {
                    await RefuseAsync(context, teams);
                    return;
                }
                await next(context);
                return;

            default:
                await next(context);
                return;
        }
    }

    private static Task RefuseAsync(HttpContext context, Admission refusal)
    {
        context.Response.Headers.RetryAfter = refusal.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Areas.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, refusal.Code!, refusal.Message!);
    }

    private static string App(ClaimsPrincipal user) =>
        user.FindFirst("appid")?.Value ?? user.FindFirst("azp")?.Value ?? user.FindFirst("oid")?.Value ?? "anonymous";

    private static string Principal(ClaimsPrincipal user) =>
        user.FindFirst("oid")?.Value ?? App(user);
}
