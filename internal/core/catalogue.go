package core

import "slices"

// EventCatalogue is every event name of the seed 002 PulseEvents enum, in
// the seed's order. A notification preference may name any of them; Roster
// itself emits the user, account, role, team, API-key, webhook, rate-limit
// and quota events among them.
var EventCatalogue = []string{
	"lead_created",
	"lead_updated",
	"lead_deleted",
	"lead_qualified",
	"lead_disqualified",
	"lead_assigned",
	"lead_converted",
	"application_created",
	"application_updated",
	"application_deleted",
	"application_completed",
	"application_submitted",
	"application_status_changed",
	"application_sensitive_data_revealed",
	"application_information_requested",
	"user_created",
	"user_updated",
	"user_deleted",
	"user_logged_in",
	"user_logged_out",
	"user_password_changed",
	"user_password_reset_requested",
	"account_created",
	"account_updated",
	"account_deleted",
	"invoice_created",
	"payment_received",
	"payment_failed",
	"refund_issued",
	"event_request_body_revealed",
	"event_response_body_revealed",
	"system_error",
	"quota_exceeded",
	"api_rate_limited",
	"api_key_created",
	"api_key_updated",
	"api_key_deleted",
	"lead_rotation_created",
	"lead_rotation_updated",
	"lead_rotation_deleted",
	"team_created",
	"team_updated",
	"team_deleted",
	"team_activated",
	"team_deactivated",
	"admin_force_set_password",
	"admin_send_passkey_registration",
	"passkey_registration_token_validated",
	"passkey_registration_options_generated",
	"passkey_registered",
	"passkey_authentication_options_generated",
	"passkey_authenticated",
	"passkey_list_viewed",
	"passkey_renamed",
	"passkey_deleted",
	"role_created",
	"role_deleted",
	"role_permissions_updated",
	"file_upload_url_requested",
	"file_uploaded",
	"file_deleted",
	"file_requested",
	"file_meta_data_updated",
	"note_created",
	"note_deleted",
	"note_updated",
	"account_type_created",
	"account_type_deleted",
	"account_type_updated",
	"user_impersonated",
	"lead_source_created",
	"lead_source_updated",
	"lead_source_deleted",
	"lead_source_activated",
	"lead_source_deactivated",
	"user_permissions_set_directly",
	"user_roles_updated",
	"account_permissions_updated",
	"lead_archived",
	"lead_unarchived",
	"user_added_to_account",
	"user_removed_from_account",
	"user_account_settings_updated",
	"webhook_created",
	"webhook_updated",
	"webhook_deleted",
	"webhook_delivery_failed",
	"webhook_test",
	"merchant_created",
	"merchant_updated",
	"merchant_deleted",
	"underwriting_application_assigned",
	"underwriting_application_priority_changed",
	"underwriting_decision_made",
	"underwriting_note_added",
	"underwriting_risk_assessment_generated",
	"underwriting_auto_rule_created",
	"underwriting_auto_rule_updated",
	"underwriting_auto_rule_toggled",
	"underwriting_auto_rule_tested",
	"maverick_webhook_received",
	"application_sent_to_maverick",
	"maverick_integration_error",
	"maverick_status_synced",
	"maverick_status_updated",
	"maverick_documents_transferred",
	"maverick_note_received",
	"maverick_tickets_fetched",
	"maverick_ticket_viewed",
	"maverick_ticket_type_mappings_fetched",
	"maverick_ticket_type_mapping_created",
	"maverick_ticket_type_mapping_updated",
	"maverick_ticket_type_mapping_deleted",
	"system_warning_maverick_unmapped_tickets",
	"zen_api_lead_created",
	"zen_api_lead_batch_submitted",
	"zen_api_application_submitted",
	"zen_api_application_updated",
	"zen_api_documents_transferred",
	"zen_api_status_change",
	"no_event_name",
	"vanity_domain_requested",
	"vanity_domain_validated",
	"vanity_domain_activated",
	"vanity_domain_deleted",
	"mid_created",
	"mid_updated",
	"mid_deleted",
	"mid_assigned",
	"mid_activated",
	"mid_suspended",
	"ticket_type_created",
	"ticket_type_updated",
	"ticket_type_deleted",
	"ticket_type_status_changed",
	"ticket_rotation_created",
	"ticket_rotation_updated",
	"ticket_rotation_deleted",
	"ticket_rotation_status_changed",
	"ticket_rotation_position_reset",
	"ticket_created",
	"ticket_updated",
	"ticket_deleted",
	"ticket_assigned",
	"ticket_status_changed",
	"ticket_comment_added",
	"ticket_settings_updated",
	"ticket_template_created",
	"ticket_template_updated",
	"ticket_template_deleted",
	"ticket_automation_rule_created",
	"ticket_automation_rule_updated",
	"ticket_automation_rule_deleted",
	"ticket_automation_rule_tested",
	"ticket_escalation_rule_created",
	"ticket_escalation_rule_updated",
	"ticket_escalation_rule_deleted",
	"account_relationship_created",
	"account_relationship_deleted",
	"healthcheck",
	"not_found",
	"method_not_allowed",
	"cron_job",
}

// IsCatalogueEvent reports whether name is in EventCatalogue.
func IsCatalogueEvent(name string) bool {
	_, ok := catalogueIndex[name]
	return ok
}

var catalogueIndex = func() map[string]struct{} {
	m := make(map[string]struct{}, len(EventCatalogue))
	for _, n := range EventCatalogue {
		m[n] = struct{}{}
	}
	return m
}()

// Delivery methods a notification preference may ask for (seed 002).
const (
	DeliveryWebsite            = "website"
	DeliveryWeeklyEmailDigest  = "weekly_email_digest"
	DeliveryMonthlyEmailDigest = "monthly_email_digest"
	DeliveryEmail              = "email"
	DeliverySMS                = "sms"
)

// DeliveryMethods lists the delivery methods, in the seed's order.
var DeliveryMethods = []string{
	DeliveryWebsite, DeliveryWeeklyEmailDigest, DeliveryMonthlyEmailDigest, DeliveryEmail, DeliverySMS,
}

// IsDeliveryMethod reports whether name is in DeliveryMethods.
func IsDeliveryMethod(name string) bool { return slices.Contains(DeliveryMethods, name) }
