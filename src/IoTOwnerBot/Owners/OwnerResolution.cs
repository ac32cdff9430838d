namespace IoTOwnerBot.Owners;

public sealed record OwnerResolution(IReadOnlyList<ResolvedOwner> Owners, IReadOnlyList<SourceOutcome> Trail);
