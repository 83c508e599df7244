-- SSH public keys registered per user, for key login to the agents' SFTP endpoint.
-- fingerprint is OpenSSH's "SHA256:<base64 without padding>" of the key blob; public_key is "<type> <base64>".
CREATE TABLE user_keys (
    user_name   VARCHAR(255) NOT NULL,
    fingerprint VARCHAR(64) NOT NULL,
    key_type    VARCHAR(64) NOT NULL,
    public_key  VARCHAR(16384) NOT NULL,
    comment     VARCHAR(1024) NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (user_name, fingerprint)
);
