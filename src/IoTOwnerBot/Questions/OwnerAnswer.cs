namespace IoTOwnerBot.Questions;

public enum OwnerAnswer { Expected, NotExpected }
