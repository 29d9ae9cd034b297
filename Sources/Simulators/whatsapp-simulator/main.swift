import WhatsAppSimulator
print("whatsapp-simulator: not built yet")
