def test_login_page_renders_in_swedish(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Logga in" in response.get_data(as_text=True)


def test_rehabkoordinator_sees_start_page_after_login(client, login_as):
    login_as("rehabkoordinator")
    response = client.get("/")
    assert response.status_code == 200
    assert "Personer" in response.get_data(as_text=True)
