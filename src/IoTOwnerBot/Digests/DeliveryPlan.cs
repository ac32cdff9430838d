namespace IoTOwnerBot.Digests;

public sealed record DeliveryPlan(DeliveryPlanKind Kind, Guid? DigestId = null);
