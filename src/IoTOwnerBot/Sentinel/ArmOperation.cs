namespace IoTOwnerBot.Sentinel;

public enum ArmOperation { Read, Write }
