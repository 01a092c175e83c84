/**
 * The superuser every test server is started with (SWITCHBOARD_ADMIN_EMAIL / _PASSWORD).
 * Its own module, free of server imports, so Playwright specs can use it too.
 */
export const ADMIN_EMAIL = 'admin@test.local';
export const ADMIN_PASSWORD = 'admin-password-1';
