using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTOwnerBot.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SenderPool : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "mail_bookings",
                columns: table => new
                {
                    DeliveryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sender = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Recipients = table.Column<int>(type: "INTEGER", nullable: false),
                    Priority = table.Column<bool>(type: "INTEGER", nullable: false),
                    BookedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mail_bookings", x => x.DeliveryId);
                });

            migrationBuilder.CreateTable(
                name: "mail_senders",
                columns: table => new
                {
                    Address = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    BlockedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    BlockedReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Turn = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mail_senders", x => x.Address);
                });

            migrationBuilder.CreateIndex(
                name: "IX_mail_bookings_Sender_At",
                table: "mail_bookings",
                columns: new[] { "Sender", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_mail_bookings_Sender_Priority_At",
                table: "mail_bookings",
                columns: new[] { "Sender", "Priority", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "mail_bookings");

            migrationBuilder.DropTable(
                name: "mail_senders");
        }
    }
}
