namespace IoTOwnerBot.Incidents;

public sealed record IntakeResponse(string IncidentId, string Status, Guid? QuestionId);
