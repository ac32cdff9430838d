using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTOwnerBot.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Digests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "digests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RecipientKey = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    DeliveryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CardVersions = table.Column<string>(type: "TEXT", nullable: false),
                    ServiceUrl = table.Column<string>(type: "TEXT", nullable: true),
                    ConversationId = table.Column<string>(type: "TEXT", nullable: true),
                    ActivityId = table.Column<string>(type: "TEXT", nullable: true),
                    ShowsState = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_digests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "delivery_claims",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    QuestionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RecipientKey = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    DigestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    ClaimedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_delivery_claims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_delivery_claims_digests_DigestId",
                        column: x => x.DigestId,
                        principalTable: "digests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_delivery_claims_questions_QuestionId",
                        column: x => x.QuestionId,
                        principalTable: "questions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_delivery_claims_DigestId_Position",
                table: "delivery_claims",
                columns: new[] { "DigestId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_delivery_claims_QuestionId_Channel_RecipientKey",
                table: "delivery_claims",
                columns: new[] { "QuestionId", "Channel", "RecipientKey" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "delivery_claims");

            migrationBuilder.DropTable(
                name: "digests");
        }
    }
}
