using System.Text.Json;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Outlook;

/// <summary><c>POST /api/outlook/actions</c>: where Microsoft's Actionable Messages service delivers Action.Http clicks.</summary>
public static class OutlookEndpoints
{
    private const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapOutlookEndpoints(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<OutlookOptions>>().Value.Enabled) return app;
        var group = PeopleWaiting.On(app.MapGroup(OutlookMessages.ActionsPath).RequireAuthorization(OutlookExtensions.Policy));
        group.MapPost("", PostAction);
        return app;
    }

    /// <summary>
    /// Answers with <c>CARD-ACTION-STATUS</c> always, and on 200 with <c>CARD-UPDATE-IN-BODY: true</c> and the
    /// refreshed card, which Outlook puts in place of the question card.
    /// </summary>
    public static async Task<Results<ContentHttpResult, StatusCodeHttpResult>> PostAction(
        HttpContext http, OutlookActionHandler handler, CancellationToken ct)
    {
        var requestId = OutlookExtensions.RequestId(http);
        using var read = await JsonBody.ReadAsync(http.Request, MaxBodyBytes, ct);
        if (read.TooLarge)
        {
            http.Response.Headers[OutlookExtensions.StatusHeader] = OutlookActionHandler.InvalidLink;
            return TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        ActionBody? body;
        try
        {
            // A body that names a member twice is refused (null): it could carry one token and claim another answer.
            body = read.Document?.RootElement is { ValueKind: JsonValueKind.Object } root ? root.Deserialize(OutlookJson.Default.ActionBody) : null;
        }
        catch (JsonException)
        {
            body = null;
        }

        var outcome = await handler.HandleAsync(body, http.User, requestId, ct);
        if (outcome.StatusText.Length > 0) http.Response.Headers[OutlookExtensions.StatusHeader] = outcome.StatusText;
        if (outcome.CardJson is null) return TypedResults.StatusCode(outcome.Status);
        http.Response.Headers[OutlookExtensions.UpdateInBodyHeader] = "true";
        return TypedResults.Content(outcome.CardJson, "application/json", statusCode: outcome.Status);
    }
}
