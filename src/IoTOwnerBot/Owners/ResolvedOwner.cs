using IoTOwnerBot.Graph;
using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Owners;

/// <summary>An owner to ask, the source that named them, the devices they own, and their directory entry if any.</summary>
public sealed record ResolvedOwner(string Address, OwnerSource Source, IReadOnlyList<string> DeviceNames, DirectoryUser? User);
