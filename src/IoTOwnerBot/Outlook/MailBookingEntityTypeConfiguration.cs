using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Outlook;

internal sealed class MailBookingEntityTypeConfiguration : IEntityTypeConfiguration<MailBooking>
{
    public void Configure(EntityTypeBuilder<MailBooking> builder)
    {
        builder.ToTable("mail_bookings");
        builder.HasKey(x => x.DeliveryId);
        builder.Property(x => x.DeliveryId).ValueGeneratedNever();
        builder.Property(x => x.Sender).HasMaxLength(320);
        // A sender's last booking, its last priority booking, its bookings of the past 24 h.
        builder.HasIndex(x => new { x.Sender, x.At });
        builder.HasIndex(x => new { x.Sender, x.Priority, x.At });
    }
}
