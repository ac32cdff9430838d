namespace IoTOwnerBot.Digests;

public enum DigestAnswerStatus { Answered, NotARecipient, NotFound }
