namespace IoTOwnerBot.Questions;

public enum LifecycleStatus { Done, NotFound, NotOpen, Superseded }
