package io.sklad.webdav.http;

import java.nio.file.Path;

/**
 * An authenticated user and the root directory they see.
 *
 * @param user the login name
 * @param root absolute, normalised root of the user's tree
 */
public record DavSession(String user, Path root) {
}
