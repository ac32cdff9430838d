namespace IoTOwnerBot.Teams;

public sealed class TeamsInstallException(string message) : Exception(message);
