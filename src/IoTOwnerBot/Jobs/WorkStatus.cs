namespace IoTOwnerBot.Jobs;

public enum WorkStatus { Pending, Succeeded, Failed }
