using System.Text.Json;
using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Incidents;

/// <summary>
/// Reads what a forwarder posts: the Sentinel incident-trigger payload (keys in any case) or a bare
/// <c>{"incidentId": "&lt;ARM id&gt;"}</c>. Returns an error message for anything else.
/// </summary>
public static class IntakeParser
{
    public static bool TryParse(JsonElement root, out IntakeRequest? request, out string? error)
    {
        request = null;
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "The body must be a JSON object: a Sentinel incident-trigger payload or {\"incidentId\": \"<ARM id>\"}.";
            return false;
        }

        if (Get(root, "incidentId") is { } bare)
        {
            if (bare.ValueKind != JsonValueKind.String || !IncidentRef.TryParse(bare.GetString(), out var incident))
            {
                error = "incidentId must be the incident's full ARM id (/subscriptions/…/providers/Microsoft.SecurityInsights/incidents/<id>).";
                return false;
            }
            request = new IntakeRequest(incident, null, "api");
            return true;
        }

        if (Get(root, "object") is not { ValueKind: JsonValueKind.Object } obj)
        {
            error = "Missing 'object' (the incident) or 'incidentId'.";
            return false;
        }
        if (Get(root, "objectSchemaType") is { ValueKind: JsonValueKind.String } schema &&
            !string.Equals(schema.GetString(), "Incident", StringComparison.OrdinalIgnoreCase))
        {
            error = $"objectSchemaType '{schema.GetString()}' is not an incident.";
            return false;
        }

        IncidentRef? parsed = null;
        if (Get(obj, "id") is { ValueKind: JsonValueKind.String } id && !IncidentRef.TryParse(id.GetString(), out parsed)) parsed = null;
        // The ARM id is authoritative; workspaceInfo + name is the documented alternative when the id is odd.
        if (parsed is null && Get(root, "workspaceInfo") is { ValueKind: JsonValueKind.Object } ws && Get(obj, "name") is { ValueKind: JsonValueKind.String } name)
        {
            var candidate = $"/subscriptions/{Str(ws, "SubscriptionId")}/resourceGroups/{Str(ws, "ResourceGroupName")}/providers/Microsoft.OperationalInsights/workspaces/{Str(ws, "WorkspaceName")}/providers/Microsoft.SecurityInsights/incidents/{name.GetString()}";
            if (!IncidentRef.TryParse(candidate, out parsed)) parsed = null;
        }
        if (parsed is null)
        {
            error = "object.id is not a Sentinel incident ARM id, and workspaceInfo with object.name does not name one either.";
            return false;
        }
        request = new IntakeRequest(parsed, obj.Clone(), "trigger");
        return true;
    }

    public static JsonElement? Get(JsonElement obj, string name) => Owners.DeviceEntityReader.Find(obj, name);

    private static string? Str(JsonElement obj, string name) => Owners.DeviceEntityReader.Text(obj, name);
}
