namespace IoTOwnerBot.Questions;

public enum OwnerSource { Payload, EntitiesApi, LogAnalytics, Directory, Fallback, Escalation }
