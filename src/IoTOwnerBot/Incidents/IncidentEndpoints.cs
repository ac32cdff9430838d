using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTOwnerBot.Incidents;

/// <summary>POST /api/incidents: where the Sentinel forwarder (or anything holding an incident id) hands incidents over.</summary>
public static class IncidentEndpoints
{
    public const string IntakePath = "/api/incidents";

    public static IEndpointRouteBuilder MapIncidentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(IntakePath).RequireAuthorization(IncidentsExtensions.IntakePolicy);
        group.MapPost("", PostIncident);
        return app;
    }

    public static async Task<Results<Accepted<IntakeResponse>, Ok<IntakeResponse>, ProblemHttpResult>> PostIncident(
        HttpRequest request, IntakeService intake, CancellationToken ct)
    {
        var body = await IntakeBody.ReadAsync(request, ct);
        // Invalid UTF-8 would only fail later, when a string is read (a 500): refuse it up front.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span)) return BadRequest("The body is not valid UTF-8.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return BadRequest($"The body is not valid JSON: {ex.Message}");
        }
        using (doc)
        {
            if (!IntakeParser.TryParse(doc.RootElement, out var parsed, out var error)) return BadRequest(error!);
            var result = await intake.AcceptAsync(parsed!, ct);
            var response = new IntakeResponse(parsed!.Incident.ArmId, result.Status.ToString(), result.QuestionId);
            return result.Status switch
            {
                IntakeStatus.Accepted => TypedResults.Accepted((string?)null, response),
                IntakeStatus.AlreadyKnown => TypedResults.Ok(response),
                _ => BadRequest($"Workspace '{parsed.Incident.WorkspaceName}' (resource group '{parsed.Incident.ResourceGroup}') is not one of the configured Sentinel:Workspaces."),
            };
        }
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid incident", detail: detail);
}
