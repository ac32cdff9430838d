using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Owners;

/// <summary>What each source said, in order, for the question's record.</summary>
public sealed record SourceOutcome(OwnerSource Source, IReadOnlyList<string> DevicesAnswered, string? Error);
