namespace IoTOwnerBot.Incidents;

public enum IntakeStatus { Accepted, AlreadyKnown, UnknownWorkspace }
