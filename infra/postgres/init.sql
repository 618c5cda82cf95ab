-- Each service owns its database; the compose stack runs them on one server.
CREATE DATABASE need_scoring OWNER civic;
CREATE DATABASE qr_events OWNER civic;
CREATE DATABASE partner_notifications OWNER civic;
